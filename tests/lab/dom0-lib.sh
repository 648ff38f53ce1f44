# Helpers for lab scenarios, inside dom0: `. /lab/lib.sh`.

# lab_console_log NAME: xenconsoled's log of guest NAME's console.
lab_console_log() { echo "/var/log/xen/console/guest-$1.log"; }

# lab_wait_console NAME PATTERN [SECS=60]: wait until guest NAME's console
# has a line matching the grep pattern; prints the log and fails on timeout.
lab_wait_console() {
	_log=$(lab_console_log "$1")
	_n=$(( ${3:-60} * 5 ))
	while [ $_n -gt 0 ]; do
		grep -q -- "$2" "$_log" 2>/dev/null && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	echo "lab: no '$2' on $1's console within ${3:-60}s; console log:"
	cat "$_log" 2>/dev/null
	return 1
}

# lab_wait_gone NAME [SECS=30]: wait until domain NAME no longer exists.
lab_wait_gone() {
	_n=$(( ${2:-30} * 5 ))
	while [ $_n -gt 0 ]; do
		xl domid "$1" >/dev/null 2>&1 || return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	echo "lab: domain $1 still exists after ${2:-30}s"
	return 1
}

# lab_ms: wall-clock milliseconds (for timing inside dom0).
lab_ms() { gdate +%s%3N; }

# lab_wait_down NAME [SECS=30]: wait until domain NAME is gone or has shut
# down (state s, kept by a toolstack that does not reap it); prints "gone" or
# "shutdown".
lab_wait_down() {
	_n=$(( ${2:-30} * 5 ))
	while [ $_n -gt 0 ]; do
		_st=$(xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }')
		[ -z "$_st" ] && { echo gone; return 0; }
		case $_st in *s*) echo shutdown; return 0 ;; esac
		sleep 0.2
		_n=$((_n - 1))
	done
	echo "lab: domain $1 still running after ${2:-30}s"
	return 1
}
