# tests/lib/skip.sh: sourced by test scripts that may have to skip a test.
#
#   skip NAME REASON   prints "SKIP NAME: REASON" and, when RECON_SKIP_LOG
#                      names a file (make check sets it), appends the same
#                      line there, so the run ends with the count and list
#                      of what was not tested.  A skip never prints "ok".
skip() {
	local name=$1
	shift
	echo "SKIP $name: $*"
	if [ -n "${RECON_SKIP_LOG:-}" ]; then
		echo "SKIP $name: $*" >>"$RECON_SKIP_LOG"
	fi
}
