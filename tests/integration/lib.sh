# shellcheck shell=bash
#
# lib.sh: assertions for the integration tests. Each prints one FAIL line
# naming the file, line and test, then what it expected and what it got,
# and returns 1 (which ends the test: tests run under set -e).

# Where the assertion was called from: "t_file.sh:42 test_name".
lib__where() {
	local i file line test=
	file=${BASH_SOURCE[2]##*/}
	line=${BASH_LINENO[1]}
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		if [[ ${FUNCNAME[i]} == test_* ]]; then
			test=${FUNCNAME[i]}
			break
		fi
	done
	printf '%s:%s%s' "$file" "$line" "${test:+ $test}"
}

# Long values are cut so one failure does not bury the log.
lib__show() {
	local v=$1 max=${LIB_SHOW_MAX:-2000}
	if ((${#v} > max)); then
		printf '%s... (%d more chars)' "${v:0:max}" $((${#v} - max))
	else
		printf '%s' "$v"
	fi
}

# shellcheck disable=SC2034 # LIB_ASSERT_FAILED is read by run.sh's ERR trap
lib__fail() {
	local where=$1 msg=$2
	shift 2
	LIB_ASSERT_FAILED=1
	printf 'FAIL %s: %s\n' "$where" "$msg" >&2
	local line
	for line in "$@"; do
		printf '    %s\n' "$line" >&2
	done
	return 1
}

# assert_eq EXPECTED ACTUAL MSG
assert_eq() {
	[ "$1" == "$2" ] && return 0
	lib__fail "$(lib__where)" "${3:-values differ}" \
		"expected: '$(lib__show "$1")'" "actual:   '$(lib__show "$2")'"
}

# assert_ne UNEXPECTED ACTUAL MSG
assert_ne() {
	[ "$1" != "$2" ] && return 0
	lib__fail "$(lib__where)" "${3:-values are equal}" "both: '$(lib__show "$2")'"
}

# assert_match REGEX ACTUAL MSG  (bash extended regular expression)
assert_match() {
	[[ $2 =~ $1 ]] && return 0
	lib__fail "$(lib__where)" "${3:-no match}" \
		"regex:  $1" "actual: '$(lib__show "$2")'"
}

# assert_contains HAYSTACK NEEDLE MSG
assert_contains() {
	[[ $1 == *"$2"* ]] && return 0
	lib__fail "$(lib__where)" "${3:-text missing}" \
		"missing: '$2'" "in:      '$(lib__show "$1")'"
}

# assert_not_contains HAYSTACK NEEDLE MSG
assert_not_contains() {
	[[ $1 != *"$2"* ]] && return 0
	lib__fail "$(lib__where)" "${3:-unwanted text present}" \
		"unwanted: '$2'" "in:       '$(lib__show "$1")'"
}

# assert_json JSON JQ_EXPR MSG: passes when `jq -e JQ_EXPR` is true for JSON.
assert_json() {
	local out rc=0
	out=$(printf '%s' "$1" | jq -e "$2" 2>&1) || rc=$?
	((rc == 0)) && return 0
	local why="jq -e is false/null (exit $rc)"
	((rc == 2 || rc == 3 || rc == 4 || rc == 5)) && why="jq error (exit $rc): $out"
	lib__fail "$(lib__where)" "${3:-JSON check failed}" \
		"expr: $2" "$why" "json: $(lib__show "$1")"
}

# run_cmd CMD...: runs CMD without ending the test when it fails; sets
# $status (exit code), $output (stdout) and $stderr.
# shellcheck disable=SC2034 # the globals are for the caller
run_cmd() {
	local errfile
	errfile=$(mktemp "${HARNESS_TMP:-${TMPDIR:-/tmp}}/run_cmd.XXXXXX")
	status=0
	output=$("$@" 2>"$errfile") || status=$?
	stderr=$(cat "$errfile")
	rm -f "$errfile"
	return 0
}

# require_pgpulse: fails the test clearly when the binary under test is missing.
require_pgpulse() {
	[ -n "${PGPULSE:-}" ] && [ -x "$PGPULSE" ] && return 0
	lib__fail "$(lib__where)" "pgpulse binary not available" \
		"PGPULSE='${PGPULSE:-}' (run through 'make check', or set PGPULSE=path/to/pgpulse)"
}

# assert_args_hide PID SECRET: once the process has parsed its arguments
# (a masked "***@" shows), /proc/PID/cmdline holds no SECRET: ps shows none.
assert_args_hide() {
	wait_until 10 grep -q ':\*\*\*@' "/proc/$1/cmdline" ||
		assert_contains "$(tr '\0' ' ' <"/proc/$1/cmdline")" ":***@" "arguments masked"
	assert_not_contains "$(tr '\0' ' ' <"/proc/$1/cmdline")" "$2" "ps shows no password"
}
