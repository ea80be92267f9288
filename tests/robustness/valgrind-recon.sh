#!/bin/sh
# valgrind-recon.sh ARGS...: run build/recon (or $RECON_REAL) under valgrind
# memcheck; any memory error or definite/indirect leak makes it exit 99, an
# exit status no recon run has, so the golden runner reports it.  The
# golden runner takes this script as its "binary".
here=$(cd "$(dirname "$0")" && pwd)
real=${RECON_REAL:-$here/../../build/recon}
exec valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	"$real" "$@"
