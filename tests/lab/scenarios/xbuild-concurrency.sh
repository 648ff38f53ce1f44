# lab-xbuild-concurrency: concurrent `xbuild create`s on real Xen, each
# batch of processes released at the same moment by benchtime -P:
#  - 8 creates of one name, three times, and 2 creates of one name, five
#    times: exactly one succeeds, every other fails with the usual message
#    (a domain named "..." already exists), and nothing of the losers
#    stays: the domains `xl list` shows, every xenstore node, dom0's event
#    channels (/proc/interrupts) and Xen's free memory are, once the winner
#    is destroyed, exactly what they were before; the one name claim left
#    while the winner lives is the winner's;
#  - 20 creates of distinct names all succeed, each domain complete (the
#    same xenstore nodes as a domain created alone), and leave nothing once
#    destroyed;
#  - a create racing the destroy of another domain (five times): the new
#    domain is complete, the other gone without a trace.
# The domains stay paused: the test is about the toolstack, not the guests.
# Files: xbtest-x86_64 xbtest-ramdisk.bin xbtest-lab.cfg benchtime
. /lab/lib.sh
cfg=/lab/files/xbtest-lab.cfg
bt=/lab/files/benchtime
fail() { echo "xbuild-concurrency: FAIL: $*"; xl list; exit 1; }
free_mb() { xl info | sed -n 's/^free_memory *: *//p'; }
evtchns() { grep -c 'evtchn:' /proc/interrupts; }

# What must come back: the domains, every xenstore node (and value), dom0's
# event channels. Free memory is compared separately (it returns a little later).
snapshot() { # FILE
	{
		xl list | awk 'NR > 1 { print $1, $2 }'
		xenstore-ls -f /
		echo "evtchns $(evtchns)"
	} >"$1"
}

free_back() { # MiB
	n=0
	while [ "$(free_mb)" != "$1" ] && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
	[ "$(free_mb)" = "$1" ] || fail "free memory $(free_mb) MiB, was $1 MiB"
}

same_as_before() { # WHAT
	snapshot /tmp/after
	diff /tmp/before /tmp/after >/tmp/diff || { cat /tmp/diff; fail "$1: left behind (diff before/after above)"; }
	free_back "$free0"
}

# The relative paths of domain NAME's xenstore nodes (values stripped).
nodes_of() { # NAME
	id=$(xl domid "$1") || fail "no domain $1"
	xenstore-ls -f "/local/domain/$id" | sed "s#^/local/domain/$id##; s/ = .*//" | sort
}

# Domain NAME exists once, with the nodes of a domain created alone.
complete() { # NAME
	[ "$(xl list | awk -v n="$1" '$1 == n' | wc -l)" = 1 ] || fail "not exactly one domain named $1"
	nodes_of "$1" >/tmp/nodes
	diff /tmp/ref-nodes /tmp/nodes >/tmp/diff || { cat /tmp/diff; fail "$1: its xenstore nodes differ from a domain created alone"; }
}

# A domain created alone: its node set is the reference.
xbuild create -p $cfg 'name="ref"' || fail "create ref"
nodes_of ref >/tmp/ref-nodes
echo "a domain has $(wc -l </tmp/ref-nodes) xenstore nodes"
xbuild destroy ref || fail "destroy ref"

snapshot /tmp/before
free0=$(free_mb) evt0=$(evtchns)
echo "before: $(xl list | awk 'NR > 1' | wc -l) domain(s), $(grep -c . /tmp/before) lines of state, $(evtchns) event channels in dom0, $free0 MiB free"

# K creates of one name: one winner, K-1 losers with the usual message.
same_name() { # K ROUND
	rm -rf /tmp/race && mkdir /tmp/race
	$bt -o /tmp/bt -P "$1" -d /tmp/race xbuild create -p $cfg 'name="race"'
	wins=$(grep -lx 0 /tmp/race/*.rc | wc -l)
	lost=$(grep -l 'a domain named "race" already exists' /tmp/race/*.out | wc -l)
	other=$(cat /tmp/race/*.out | grep -v 'a domain named "race" already exists' | grep -c .)
	echo "$1 creates of one name (round $2): $wins succeeded, $lost refused: $(cat /tmp/bt)"
	[ "$wins" = 1 ] && [ "$lost" = $(($1 - 1)) ] && [ "$other" = 0 ] ||
		{ head -5 /tmp/race/*.out; fail "$1 creates of one name: want 1 success and $(($1 - 1)) refusals"; }
	complete race
	# one claim, the winner's (it holds it for its life; destroy removes it)
	[ "$(xenstore-ls /xbuild/names 2>/dev/null)" = "race = \"$(xl domid race)\"" ] ||
		{ xenstore-ls -f /xbuild; fail "the name claims are not the winner's alone"; }
	# the check below can see a leak: a live domain holds dom0 event channels
	[ "$(evtchns)" -gt "$evt0" ] || fail "a live domain holds no dom0 event channel: the count cannot see leaks"
	xbuild destroy race || fail "destroy race"
	same_as_before "$1 creates of one name (round $2)"
}
for r in 1 2 3; do same_name 8 $r; done
for r in 1 2 3 4 5; do same_name 2 $r; done

# 20 distinct names: all of them.
rm -rf /tmp/many && mkdir /tmp/many
$bt -o /tmp/bt -P 20 -d /tmp/many xbuild create -p $cfg 'name="many%i"' ||
	{ cat /tmp/many/*.out; fail "20 creates of distinct names: $(cat /tmp/bt)"; }
echo "20 creates of distinct names: $(cat /tmp/bt)"
i=0
while [ $i -lt 20 ]; do
	complete "many$i"
	i=$((i + 1))
done
i=0
while [ $i -lt 20 ]; do
	xbuild destroy "many$i" || fail "destroy many$i"
	i=$((i + 1))
done
same_as_before "20 creates of distinct names"

# A create racing the destroy of another domain.
for r in 1 2 3 4 5; do
	xbuild create -p $cfg 'name="victim"' || fail "create victim"
	rm -rf /tmp/rd && mkdir /tmp/rd
	$bt -o /tmp/bt -P 2 -d /tmp/rd sh -c \
		'if [ %i = 0 ]; then exec xbuild destroy victim; else exec xbuild create -p '$cfg' name=\"racer\"; fi' ||
		{ cat /tmp/rd/*.out; fail "create racing a destroy (round $r)"; }
	xl domid victim >/dev/null 2>&1 && fail "victim survived its destroy (round $r)"
	complete racer
	xbuild destroy racer || fail "destroy racer"
	same_as_before "a create racing a destroy (round $r)"
	echo "a create racing a destroy (round $r): both done, $(cat /tmp/bt)"
done
echo "xbuild-concurrency: PASS"
