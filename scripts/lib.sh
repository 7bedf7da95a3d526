# shellcheck shell=bash
#
# lib.sh: the configure-and-build steps scripts/test, scripts/demo and
# scripts/bench share. Source it from the source tree's top directory.

# lib_autoreconf: regenerates configure when it is missing or older than
# configure.ac or Makefile.am.
lib_autoreconf() {
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
		[ ! -e Makefile.in ] || [ Makefile.am -nt Makefile.in ]; then
		mkdir -p m4 # ACLOCAL_AMFLAGS = -I m4; git keeps no empty directories
		autoreconf -fi
	else
		echo "configure is up to date"
	fi
}

# lib_build DIR [--if-unconfigured] [CONFIGURE_ARG...] -- [MAKE_ARG...]:
# configures the tree in DIR (always, or only when DIR has no Makefile
# yet) and runs make there with -j$JOBS (default 2).
lib_build() {
	local dir=$1 always=1 conf=() top
	shift
	if [ "${1:-}" = --if-unconfigured ]; then
		always=
		shift
	fi
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		conf+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	top=$(pwd)
	lib_autoreconf
	mkdir -p "$dir"
	(
		cd "$dir"
		if [ -n "$always" ] || [ ! -f Makefile ]; then
			"$top/configure" "${conf[@]}"
		fi
		make -j"${JOBS:-2}" "$@"
	)
}
