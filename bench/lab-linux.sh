# bench/lab-linux.sh - a tests/lab/run scenario (bench/lab-suite): create
# latency of Debian's Linux as a PV guest (the lab's bzImage, 128 MiB, its
# busybox initramfs), $LINUX_ROUNDS rounds of: each tool of $TOOLS creates
# it paused and destroys it (destroy timed), then creates it running and
# destroys it at once (untimed); tool order rotates. xl and xbuild read
# /lab/domu/vmlinuz (an xz bzImage: most of their time is decompression
# under TCG); the floor boots the ELF inside it, /lab/files/vmlinux, which
# this scenario deletes at the end (dom0's files live in its RAM).
#
# Proofs, first (untimed): each tool's guest boots to its init, which
# prints XB-DOMU-OK (xl, xbuild: on its console) and powers off (the
# floor's has no console: its shutdown reason must be poweroff).
# Prints XB-BENCH create guest=linux mode=paused|running tool=T ...,
# XB-BENCH destroy guest=linux tool=T ..., XB-BENCH ratio ...
. /lab/files/lab-lib.sh
. /lab/files/bench-params
: "${LINUX_ROUNDS:=20}" "${TOOLS:=xl xbuild floor}"
echo "bench: linux, $LINUX_ROUNDS rounds of: $TOOLS"
[ -s $F/vmlinux ] || bench_fail "no /lab/files/vmlinux (bench/lab-suite passes it)"

log=$(lab_console_log linux-pv)
for t in $TOOLS; do
	: >/tmp/lin.$t.paused
	: >/tmp/lin.$t.running
	: >/tmp/lin.$t.destroy
	create_linux "$t" running || bench_fail "$t: linux create failed"
	if [ "$t" = floor ]; then
		wait_down floor linux-pv 180 || { cat /tmp/wait.out; bench_fail "floor linux did not shut down"; }
		grep -q 'shut down: poweroff' /tmp/wait.out || { cat /tmp/wait.out; bench_fail "floor linux: $(cat /tmp/wait.out)"; }
		destroy_tool floor
		echo "XB-BENCH proof guest=linux tool=floor $(sed 's/.*shut down: /shutdown=/; s/, cpu /  cpu_us=/; s/ us$//' /tmp/wait.out)"
		continue
	fi
	before=$(grep -c XB-DOMU-OK "$log" 2>/dev/null)
	lab_wait_gone linux-pv 180 || bench_fail "$t: linux-pv still running after 180 s"
	after=$(grep -c XB-DOMU-OK "$log" 2>/dev/null)
	[ "$after" -gt "${before:-0}" ] || sleep 1
	after=$(grep -c XB-DOMU-OK "$log" 2>/dev/null)
	[ "$after" -gt "${before:-0}" ] || { tail -20 "$log"; bench_fail "$t: no XB-DOMU-OK on the guest's console"; }
	echo "XB-BENCH proof guest=linux tool=$t console=XB-DOMU-OK"
done

# xbuild's cache of decompressed kernels: the first create decompresses and
# keeps the kernel, the next reads it back
for t in $TOOLS; do
	case $t in xbuild) ;; *) continue ;; esac
	rm -rf "$XBUILD_CACHE_DIR"
	create_linux "$t" paused || bench_fail "$t create -p failed"
	miss=$BT_US
	destroy_tool "$t" linux-pv
	create_linux "$t" paused || bench_fail "$t create -p failed"
	hit=$BT_US
	destroy_tool "$t" linux-pv
	ls "$XBUILD_CACHE_DIR"/*.elf >/dev/null 2>&1 || bench_fail "$t kept nothing in $XBUILD_CACHE_DIR"
	echo "XB-BENCH cache guest=linux tool=$t first_ms=$((miss / 1000)) again_ms=$((hit / 1000)) ratio=$(ratio "$miss" "$hit")"
done

order=$TOOLS
r=0
while [ $r -lt "$LINUX_ROUNDS" ]; do
	r=$((r + 1))
	for t in $order; do
		create_linux "$t" paused || bench_fail "$t create -p failed (round $r)"
		echo "$BT_US" >>/tmp/lin.$t.paused
		c=$BT_US
		destroy_tool "$t" linux-pv || bench_fail "$t destroy failed (round $r)"
		echo "$BT_US" >>/tmp/lin.$t.destroy
		create_linux "$t" running || bench_fail "$t create failed (round $r)"
		echo "$BT_US" >>/tmp/lin.$t.running
		echo "bench: round $r $t linux paused $((c / 1000)) ms, running $((BT_US / 1000)) ms"
		if [ "$t" = floor ]; then destroy_tool floor; else xl destroy linux-pv 2>/dev/null; fi
	done
	order=$(rotate $order)
done
rm -f $F/vmlinux

for t in $TOOLS; do
	report create "guest=linux mode=paused tool=$t" /tmp/lin.$t.paused
	report create "guest=linux mode=running tool=$t" /tmp/lin.$t.running
	report destroy "guest=linux tool=$t" /tmp/lin.$t.destroy
done
for m in paused running destroy; do
	for a in $TOOLS; do
		for b in $TOOLS; do
			case "$a/$b" in xl/xbuild | xbuild/floor | xl/floor | base/xbuild | xl/base) ;; *) continue ;; esac
			echo "XB-BENCH ratio figure=linux-$m of=median_ms num=$a den=$b value=$(ratio "$(median_of /tmp/lin.$a.$m)" "$(median_of /tmp/lin.$b.$m)")"
		done
	done
done
