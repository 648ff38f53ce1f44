# bench/lab-phases.sh - a tests/lab/run scenario (bench/lab-suite): where
# one create's time goes.
#  - `xbuild create -p --timings` of the Mini-OS-class guest $PHASE_RUNS
#    times and of Debian's Linux 3 times (XB-BENCH create-phases lines,
#    each tagged guest=...); bench/table shows the median of each step.
#  - Each tool's calls into libxenstore, libxenctrl, libxenforeignmemory
#    and fork(), counted and timed by bench/calltrace.so (LD_PRELOAD), for
#    one paused Mini-OS-class create and its destroy (XB-BENCH calltrace
#    lines, tagged tool= and verb=).
. /lab/files/lab-lib.sh
. /lab/files/bench-params
: "${PHASE_RUNS:=5}" "${TOOLS:=xl xbuild floor}"
echo "bench: phases of xbuild create, and calls of: $TOOLS"

for g in minios linux; do
	n=$PHASE_RUNS
	[ $g = linux ] && n=3
	for t in $TOOLS; do
		case $t in xbuild | base) ;; *) continue ;; esac
		i=0
		while [ $i -lt "$n" ]; do
			i=$((i + 1))
			if [ $g = minios ]; then
				run_tool "$t" create -p -q --timings $MINI_CFG 2>/tmp/ph.err
				name=mini
			else
				run_tool "$t" create -p -q --timings $LINUX_CFG 2>/tmp/ph.err
				name=linux-pv
			fi
			[ $BT_RC = 0 ] || { cat /tmp/ph.err; bench_fail "$t create --timings failed"; }
			sed -n "s/^XB-BENCH create-phases /XB-BENCH create-phases tool=$t guest=$g wall_us=$BT_US /p" /tmp/ph.err
			[ $g = minios ] && [ $i = 1 ] && grep -v '^XB-BENCH' /tmp/ph.err
			run_tool "$t" destroy $name || bench_fail "$t destroy failed"
		done
	done
done

# What starting each program costs the dynamic loader (glibc's LD_DEBUG=statistics).
for t in $TOOLS; do
	case $t in
	xl) set -- xl -h ;;
	floor) set -- $F/floor ;;
	xbuild) set -- xbuild --version ;;
	base) set -- env LD_LIBRARY_PATH=$F/base/lib:$LD_LIBRARY_PATH $F/base/xbuild --version ;;
	esac
	LD_DEBUG=statistics "$@" >/dev/null 2>/tmp/ld.out
	LD_DEBUG=files "$@" >/dev/null 2>/tmp/ld.files
	cyc=$(sed -n 's/.*total startup time in dynamic loader: *\([0-9,]*\).*/\1/p' /tmp/ld.out | head -1 | tr -d ,)
	rel=$(sed -n 's/.*number of relocations: *\([0-9]*\).*/\1/p' /tmp/ld.out | head -1)
	objs=$(grep -c 'file=.*\[0\];  generating link map' /tmp/ld.files 2>/dev/null)
	echo "XB-BENCH ldso tool=$t startup_cycles=${cyc:-?} relocations=${rel:-?} objects=${objs:-?}"
done

for t in $TOOLS; do
	export LD_PRELOAD=$F/calltrace.so
	create_mini "$t" paused 2>/tmp/ct.create
	rc=$BT_RC
	destroy_tool "$t" mini 2>/tmp/ct.destroy
	unset LD_PRELOAD
	[ $rc = 0 ] && [ $BT_RC = 0 ] || { cat /tmp/ct.create /tmp/ct.destroy; bench_fail "$t under calltrace failed"; }
	for v in create destroy; do
		# the process that ran the verb (not benchtime, not a forked child)
		main=$(sed -n 's/^XB-BENCH calltrace pid=\([0-9]*\) fn=xc_interface_open .*/\1/p' /tmp/ct.$v | head -1)
		sed -n "s/^XB-BENCH calltrace pid=$main /XB-BENCH calltrace tool=$t verb=$v /p" /tmp/ct.$v
	done
done
