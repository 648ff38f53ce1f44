# lab-xbuild-save: save, restore and migration of Debian's Linux as a PV
# guest by xbuild on real Xen (Debian's 4.17, no shadow paging), the guest
# counting (xb.test=count) so that its life can be followed, and writing its
# counter to its file: disk (xb.count_disk), which it reads back again
# after every restore and migration (blkfront reconnected):
#  - save (the configuration stored: libxl's JSON, which xbuild wrote at
#    create): the domain is gone, the image in place (no temporary left);
#    restore: it counts on from where it was, under its name, a new domid,
#    no second boot; the image restores again, -p keeps it paused;
#    save -c: a checkpoint, it runs on;
#  - refused in one line, exit 1, nothing left behind: not a save image, a
#    truncated image, a configuration with less memory (file and override),
#    the image restored while the domain runs (its disk is attached
#    writable to it);
#  - xl restores xbuild's image, xbuild restores xl's (its disk moved
#    meanwhile: the path overridden on the command line);
#  - migrate to this host through xb-rsh (the lab's ssh): non-live, with the
#    one-line notice, a new domid, the same name, it counts on (its disk
#    held by both domains while it moves); --live is refused before
#    anything starts;
#  - the transport killed in the middle: the source runs on, unpaused, under
#    its name, and no half-built domain (nor its loop device) is left on the
#    target; a target without xbuild: one line, the source untouched.
# Files: xb-rsh
. /lab/lib.sh
fail() {
	echo "xbuild-save: FAIL: $*"
	xl list
	dmesg | grep -i -e segfault -e 'general protection' -e 'killed process' | tail -n 5
	exit 1
}
state() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
img=/lab/img # on dom0's ramfs: one image of 128 MiB at a time
mkdir -p $img

dd if=/dev/zero of=/tmp/cnt.img bs=1M count=2 2>/dev/null || fail "make cnt.img"
lab_count_cfg /tmp/cnt.cfg cnt pv xb.count_disk=xvda
echo "disk = [ 'file:/tmp/cnt.img,xvda,w' ]" >>/tmp/cnt.cfg
rm -f "$(lab_console_log cnt)"
xbuild create /tmp/cnt.cfg || fail "create cnt"
lab_wait_count cnt 10 || fail "cnt does not count"
lab_count_disk_goes_on cnt 0 0 || fail "cnt does not write to its disk"
id=$(xl domid cnt)

# -- save: the domain goes, the image stays --
xbuild save --timings cnt $img/cnt.save 2>/tmp/save.err || # libxl's JSON of it
	{ cat /tmp/save.err; fail "save"; }
grep '^XB-BENCH save ' /tmp/save.err || fail "no XB-BENCH line from save --timings"
xl domid cnt >/dev/null 2>&1 && fail "cnt still exists after its save"
[ "$(ls -a $img | grep -v '^\.\.\?$')" = cnt.save ] || { ls -la $img; fail "not just the image in $img"; }
last=$(lab_count_last cnt)
echo "xbuild-save: saved at counter $last: $(ls -l $img/cnt.save | awk '{ print $5 }') bytes"

# -- restore: it counts on, same name, new domid, no second boot --
off=$(lab_log_size cnt)
xbuild restore --timings $img/cnt.save 2>/tmp/restore.err || { cat /tmp/restore.err; fail "restore"; }
grep '^XB-BENCH restore ' /tmp/restore.err || fail "no XB-BENCH line from restore --timings"
id2=$(xl domid cnt) || fail "no cnt after the restore"
[ "$id2" != "$id" ] || fail "the restored cnt has the old domid $id"
lab_wait_count cnt $((last + 10)) 60 "" "$off" || fail "cnt does not count after the restore"
lab_count_goes_on cnt "$off" "$last" || fail "cnt did not carry on"
lab_count_disk_goes_on cnt "$off" "$last" || fail "cnt's disk after the restore"
echo "xbuild-save: restored as domain $id2: counting on from $last, no second boot, its disk too"

# -- the image again, paused --
xbuild destroy cnt && lab_wait_gone cnt || fail "destroy cnt"
off=$(lab_log_size cnt)
xbuild restore -p $img/cnt.save || fail "restore -p"
case $(state cnt) in *p*) ;; *) fail "restore -p: cnt is not paused ($(state cnt))" ;; esac
sleep 2
paused=$(lab_count_after cnt "$off" | wc -l)
[ "$paused" -le 3 ] || fail "cnt printed $paused counters while paused"
xl unpause cnt || fail "unpause"
lab_wait_count cnt $((last + 10)) 60 "" "$off" || fail "cnt does not count after restore -p and unpause"
lab_count_goes_on cnt "$off" "$last" || fail "cnt did not carry on after restore -p"
# the disk ran on after the save (the first restore): stale up to the save
lab_count_disk_goes_on cnt "$off" "$last" "" 60 "$last" || fail "cnt's disk after restore -p"
echo "xbuild-save: restored twice from one image; -p kept it paused ($paused lines of its ring)"

# -- save -c: a checkpoint, it runs on --
idc=$(xl domid cnt)
# dom0's root is a ramfs of 512 MiB that also holds xbuild's kernel cache:
# two 134 MB images at once ran it out of memory (the OOM killer, then a panic)
rm -f $img/cnt.save
xbuild save -c cnt $img/cnt.save /tmp/cnt.cfg || fail "save -c"
[ "$(xl domid cnt)" = "$idc" ] || fail "save -c: cnt is not domain $idc any more"
ckpt=$(lab_count_last cnt) # about where the image is now
case $(state cnt) in *p* | *s* | '') fail "after save -c, cnt is '$(state cnt)'" ;; esac
now=$(lab_count_last cnt)
off=$(lab_log_size cnt)
lab_wait_count cnt $((now + 5)) 30 "" "$off" || fail "cnt does not count after save -c"
echo "xbuild-save: save -c: cnt runs on"

# -- bad input: one line, exit 1, nothing left behind --
refuse() { # WANT ARGS...: restore ARGS fails with one line matching WANT
	_want=$1
	shift
	before=$(xenstore-ls -f / | grep -c .)
	xbuild restore "$@" >/tmp/out 2>/tmp/err
	_rc=$?
	cat /tmp/err
	[ $_rc = 1 ] && [ "$(wc -l </tmp/err)" = 1 ] && [ ! -s /tmp/out ] && grep -q -- "$_want" /tmp/err ||
		fail "restore $*: exit $_rc, want 1 and one line with '$_want'"
	[ "$(xl list | grep -vc -e '^Name' -e '^Domain-0' -e '^cnt ')" = 0 ] || fail "restore $* left a domain"
	[ "$(xenstore-ls -f / | grep -c .)" = "$before" ] || fail "restore $* left xenstore nodes"
}
head -c 4096 /dev/urandom >$img/junk
refuse "xbuild: $img/junk: not a save image (no xl header)" $img/junk
rm -f $img/junk
refuse "disk 1, target: /tmp/cnt.img is already attached writable to domain $idc (\"cnt\", as xvda)" \
	$img/cnt.save 'name="again"'
head -c 20000000 $img/cnt.save >$img/cut.save
refuse "xbuild: $img/cut.save: truncated: the memory image ends early (" $img/cut.save \
	'name="cut"' 'disk=[]'
rm -f $img/cut.save
sed 's/^memory = 128/memory = 64/' /tmp/cnt.cfg >/tmp/small.cfg
refuse "/tmp/small.cfg:6:10: error: memory: 64 MiB is less than the 128 MiB of the domain" \
	$img/cnt.save /tmp/small.cfg 'name="small"'
refuse "<command line>:2:8: error: memory: 64 MiB is less than the 128 MiB" \
	$img/cnt.save 'name="small"' memory=64
echo "xbuild-save: bad images and configurations refused, nothing left"

# -- xl restores xbuild's image; xbuild restores xl's --
last=$ckpt
xbuild destroy cnt && lab_wait_gone cnt || fail "destroy cnt"
off=$(lab_log_size cnt)
xl restore $img/cnt.save || fail "xl restore of xbuild's image"
lab_wait_count cnt $((last + 5)) 60 "" "$off" || fail "cnt restored by xl does not count"
lab_count_goes_on cnt "$off" "$last" || fail "cnt restored by xl did not carry on"
lab_count_disk_goes_on cnt "$off" "$last" "" 60 "$last" || fail "cnt's disk after xl restore" # a checkpoint's
rm -f $img/cnt.save
echo "xbuild-save: xl restored xbuild's image"
xl save cnt $img/xl.save || fail "xl save"
last=$(lab_count_last cnt)
off=$(lab_log_size cnt)
# the image moved while the domain was saved: restored with the disk
# overridden (KEY=VALUE), as on a host that keeps its images elsewhere; the
# migrations below send the new path
mv /tmp/cnt.img /tmp/cnt2.img
sed -i 's#/tmp/cnt\.img#/tmp/cnt2.img#' /tmp/cnt.cfg
xbuild restore $img/xl.save "disk=['file:/tmp/cnt2.img,xvda,w']" || fail "xbuild restore of xl's image"
/usr/sbin/losetup -a | grep -q '(/tmp/cnt2.img)' || { /usr/sbin/losetup -a; fail "the disk is not the override's"; }
lab_wait_count cnt $((last + 5)) 60 "" "$off" || fail "cnt restored from xl's image does not count"
lab_count_goes_on cnt "$off" "$last" || fail "cnt restored from xl's image did not carry on"
lab_count_disk_goes_on cnt "$off" "$last" || fail "cnt's disk after the restore of xl's image"
rm -f $img/xl.save
echo "xbuild-save: xbuild restored xl's image (its libxl JSON configuration), its disk from the override"

# -- migrate to this host: non-live (no shadow paging), said once --
/usr/sbin/ip link set lo up
lab_serve 127.0.0.1:5022
lab_wait_peer 30 127.0.0.1 || fail "xb-rsh"
id=$(xl domid cnt)
xbuild migrate --live -C /tmp/cnt.cfg -s $LAB_RSH cnt 127.0.0.1 2>/tmp/live.err &&
	fail "migrate --live of a PV guest without shadow paging"
cat /tmp/live.err
[ "$(wc -l </tmp/live.err)" = 1 ] && grep -q "moves live only with shadow paging" /tmp/live.err ||
	fail "migrate --live: want one line saying why"
[ "$(xl domid cnt)" = "$id" ] && [ -z "$(state cnt | tr -d 'rb-')" ] || fail "--live touched cnt"
rm -f "$(lab_console_log cnt--incoming)"
xbuild migrate --timings -C /tmp/cnt.cfg -s $LAB_RSH cnt 127.0.0.1 2>/tmp/mig.err ||
	{ cat /tmp/mig.err; fail "migrate cnt to 127.0.0.1"; }
last=$(lab_count_last cnt) # the source's console has it all: it is gone
cat /tmp/mig.err
[ "$(grep -c '^xbuild: warning: migrate: moving it non-live, paused for the whole copy: ' /tmp/mig.err)" = 1 ] ||
	fail "no one-line notice of the non-live move"
id2=$(xl domid cnt) || fail "no cnt after the migration"
[ "$id2" != "$id" ] || fail "cnt kept domid $id"
xl list | grep -e '--incoming' -e '--migratedaway' && fail "a temporary name is left"
lab_wait_count cnt $((last + 5)) 60 "$(lab_console_log cnt--incoming)" ||
	fail "cnt does not count after the migration"
lab_count_goes_on cnt 0 "$last" "$(lab_console_log cnt--incoming)" || fail "cnt did not carry on"
lab_count_disk_goes_on cnt 0 "$last" "$(lab_console_log cnt--incoming)" ||
	fail "cnt's disk after the migration"
[ "$(/usr/sbin/losetup -a | wc -l)" = 1 ] || { /usr/sbin/losetup -a; fail "want one loop device"; }
echo "xbuild-save: migrated to this host: domain $id -> $id2, counting on from $last"

# -- the transport killed in the middle --
id=$id2
(xbuild migrate -C /tmp/cnt.cfg -s $LAB_RSH cnt 127.0.0.1 2>/tmp/kill.err; echo $? >/tmp/kill.rc) &
n=0
until xl domid cnt--incoming >/dev/null 2>&1 || [ $n -gt 300 ]; do sleep 0.1; n=$((n + 1)); done
inc=$(xl domid cnt--incoming) || fail "no cnt--incoming to cut off"
sleep 1 # in the middle of the stream
for p in /proc/[0-9]*; do
	tr '\0' ' ' <$p/cmdline 2>/dev/null | grep -q "^$LAB_RSH 127.0.0.1 xbuild migrate-receive" &&
		kill ${p#/proc/} && echo "xbuild-save: killed the transport (pid ${p#/proc/})"
done
n=0
until [ -s /tmp/kill.rc ] || [ $n -gt 600 ]; do sleep 0.1; n=$((n + 1)); done
cat /tmp/kill.err
[ "$(cat /tmp/kill.rc)" = 1 ] && [ "$(wc -l </tmp/kill.err)" -le 2 ] || fail "migrate with its transport killed"
lab_wait_gone cnt--incoming 30 || fail "the half-built target domain is left"
[ "$(/usr/sbin/losetup -a | wc -l)" = 1 ] || { /usr/sbin/losetup -a; fail "the target's loop device is left"; }
for p in /local/domain/$inc /libxl/$inc /local/domain/0/backend/vbd/$inc; do
	xenstore-exists $p 2>/dev/null && fail "the target's $p is left"
done
[ "$(xl domid cnt)" = "$id" ] || fail "the source is not domain $id any more"
case $(state cnt) in *p* | *s* | '') fail "the source is '$(state cnt)' after the failed migration" ;; esac
now=$(lab_count_last cnt "$(lab_console_log cnt--incoming)")
off=$(wc -c <"$(lab_console_log cnt--incoming)")
lab_wait_count cnt $((now + 5)) 60 "$(lab_console_log cnt--incoming)" "$off" ||
	fail "the source does not count on"
xenstore-ls -f / | grep -e '--incoming' -e '--migratedaway' && fail "xenstore keeps a temporary name"
echo "xbuild-save: killed transport: the source runs on, nothing left on the target"

# -- a target without xbuild --
xbuild migrate -C /tmp/cnt.cfg -s $LAB_RSH cnt '127.0.0.1 PATH=/bin' 2>/tmp/none.err &&
	fail "migrate to a host without xbuild"
cat /tmp/none.err
# the notice of the non-live move, then one line saying why it failed
[ "$(grep -vc '^xbuild: warning: ' /tmp/none.err)" = 1 ] &&
	grep -v '^xbuild: warning: ' /tmp/none.err | grep -q "xbuild: not found$" ||
	fail "want one error line ending with the target's 'xbuild: not found'"
[ "$(xl domid cnt)" = "$id" ] && [ -z "$(state cnt | tr -d 'rb-')" ] || fail "the source was touched"
echo "xbuild-save: a target without xbuild: one line, the source untouched"

vm=$(xenstore-read /local/domain/$id/vm)
xbuild destroy cnt && lab_wait_gone cnt || fail "destroy cnt"
lab_leftovers $id $vm || fail "leftovers"
echo "xbuild-save: PASS"
