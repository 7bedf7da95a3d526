#!/bin/bash
#
# run.sh: the integration suite's entry point (an automake TEST). Starts the
# harness once, then runs every test_* function of tests/integration/t_*.sh,
# each in its own bash with errexit and a time bound, and checks after each
# that no pgpulse connection was left behind.
#
# Environment: PGPULSE (binary under test), FAKE_SERVER (tests/fake_server;
# built from source when unset), TOP_SRCDIR, PGPULSE_TESTS (regex: run only
# matching tests), PGPULSE_TEST_TIMEOUT (seconds per test, default 120).
#
# Exit: 0 all passed, 1 a test failed or none ran, 99 the harness could not
# start (automake's "hard error").

set -u

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
INTEGRATION_DIR=$TOP_SRCDIR/tests/integration
TEST_TIMEOUT=${PGPULSE_TEST_TIMEOUT:-120}
TEST_FILTER=${PGPULSE_TESTS:-}
export TOP_SRCDIR
[ -n "${PGPULSE:-}" ] && export PGPULSE

for f in harness.sh lib.sh; do
	if [ ! -r "$INTEGRATION_DIR/$f" ]; then
		echo "run.sh: $INTEGRATION_DIR/$f not found (set TOP_SRCDIR to the source tree)" >&2
		exit 99
	fi
done
# shellcheck source=harness.sh
. "$INTEGRATION_DIR/harness.sh"
# shellcheck source=lib.sh
. "$INTEGRATION_DIR/lib.sh"

# Every test function, in file order: "file<TAB>function" lines; a file
# that does not even parse is listed as "file<TAB>!broken".
list_tests() {
	local file
	for file in "$INTEGRATION_DIR"/t_*.sh; do
		[ -e "$file" ] || continue
		if ! bash -n "$file" 2>/dev/null; then
			printf '%s\t!broken\n' "$file"
			continue
		fi
		bash -c '
			shopt -s extdebug
			src=$1
			. "$src" >/dev/null 2>&1 || exit 0
			for fn in $(compgen -A function test_); do
				# "name line file": keep the file'\''s own tests, in file order
				set -- $(declare -F "$fn")
				[ "$3" = "$src" ] && printf "%s\t%s\n" "$2" "$fn"
			done | sort -n | cut -f2
		' _ "$file" | while read -r fn; do
			printf '%s\t%s\n' "$file" "$fn"
		done
	done
}

current_test_pid=

# shellcheck disable=SC2317 # called from the signal traps
stop_current_test() {
	[ -n "$current_test_pid" ] || return 0
	# timeout leads its own process group: the test and all it started.
	kill -TERM -- "-$current_test_pid" 2>/dev/null
	wait_until 5 harness__pid_dead "$current_test_pid" || kill -KILL -- "-$current_test_pid" 2>/dev/null
	wait "$current_test_pid" 2>/dev/null
	kill -KILL -- "-$current_test_pid" 2>/dev/null # stragglers the test left behind
	current_test_pid=
}

# shellcheck disable=SC2317
on_signal() {
	local sig=$1
	trap - EXIT INT TERM
	echo "run.sh: interrupted by SIG$sig, cleaning up" >&2
	stop_current_test
	harness_stop
	[ "$sig" = INT ] && exit 130
	exit 143
}

log_size() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

# Print what a server logged while the test ran (bytes FROM to TO), bounded.
show_new_log() {
	local name=$1 file=$2 from=$3 to=$4
	[ -f "$file" ] && ((to > from)) || return 0
	# The harness's own admin connections (Unix socket, pg_isready,
	# PgBouncer's console) are noise.
	tail -c +"$((from + 1))" "$file" | head -c "$((to - from))" |
		grep -v -e 'pgpulse-harness' -e 'pg_isready' -e 'host=\[local\]' -e 'pgbouncer/postgres@' |
		tail -n 40 >"$HARNESS_TMP/logs/excerpt"
	[ -s "$HARNESS_TMP/logs/excerpt" ] || return 0
	echo "  --- $name log during the test (last 40 lines) ---"
	sed 's/^/  | /' "$HARNESS_TMP/logs/excerpt"
}

leaked_rows() {
	pg_admin "SELECT pid, usename, client_addr, client_port, state, left(query, 60) FROM pg_stat_activity WHERE application_name = 'pgpulse'" 2>&1
}

no_pgpulse_connections() {
	[ "$(pgpulse_open_count 2>/dev/null)" = 0 ]
}

# restart_if_stopped NAME RUNNING_FN START_FN: restarts a server the test
# left stopped (and fails the test for it); exits 99 when it cannot.
# Uses run_one's $log and $failed_reason.
restart_if_stopped() {
	"$2" && return 0
	echo "harness: $1 was left stopped; restarting it" >>"$log"
	"$3" >>"$log" 2>&1 || {
		echo "run.sh: cannot restart $1; giving up" >&2
		exit 99
	}
	[ -n "$failed_reason" ] || failed_reason="left $1 stopped"
}

# run_one FILE FUNCTION: runs one test; returns 0 on pass.
run_one() {
	local file=$1 fn=$2 log=$HARNESS_TMP/logs/test-$2.log
	local pg_from pg_to bouncer_from bouncer_to rc failed_reason=
	pg_from=$(log_size "$PG_LOG")
	bouncer_from=$(log_size "$BOUNCER_LOG")
	local workdir=$HARNESS_TMP/work/$fn
	mkdir -p "$workdir"

	# Run in the background and wait, so a signal to us is handled at once.
	timeout -k 10 "$TEST_TIMEOUT" bash -c '
		set -eE -o pipefail
		. "$1/harness.sh"
		. "$HARNESS_TMP/env.sh"
		. "$1/lib.sh"
		TEST_NAME=$3
		trap '\''__rc=$?; [ -n "${LIB_ASSERT_FAILED:-}" ] || echo "FAIL ${BASH_SOURCE[0]##*/}:$LINENO $TEST_NAME: command failed (exit $__rc): $BASH_COMMAND" >&2'\'' ERR
		. "$2"
		cd "$4"
		"$TEST_NAME"
	' run-test "$INTEGRATION_DIR" "$file" "$fn" "$workdir" >"$log" 2>&1 </dev/null &
	current_test_pid=$!
	wait "$current_test_pid"
	rc=$?
	pg_to=$(log_size "$PG_LOG")
	bouncer_to=$(log_size "$BOUNCER_LOG")
	if ((rc == 124 || rc == 137)); then
		failed_reason="timed out after ${TEST_TIMEOUT}s"
	elif ((rc != 0)); then
		failed_reason="exit status $rc"
	fi

	# A test that stopped a server must not break the ones after it.
	restart_if_stopped PostgreSQL harness_pg_running harness_pg_start

	# No probe may outlive its test (DESIGN.md: "No leaks"). Checked before
	# anything the test left running is killed, so a pgpulse still holding
	# a connection in the background counts as the leak it is.
	if ! wait_until 5 no_pgpulse_connections; then
		local leaked
		leaked=$(leaked_rows)
		{
			echo "leaked connections with application_name 'pgpulse' (5 s after the test ended):"
			printf '%s\n' "$leaked" | sed 's/^/    /'
		} >>"$log"
		failed_reason=${failed_reason:+$failed_reason; }"leaked $(printf '%s\n' "$leaked" | grep -c .) pgpulse connection(s)"
	fi

	# Now end whatever the test left behind, so the next test starts clean.
	kill -KILL -- "-$current_test_pid" 2>/dev/null
	current_test_pid=
	release_connections >>"$log" 2>&1
	if ! fake_server_stop_test_servers >>"$log" 2>&1; then
		failed_reason=${failed_reason:+$failed_reason; }"a fake server reported a sanitizer error"
	fi
	if ! no_pgpulse_connections; then
		pg_admin "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pgpulse'" >/dev/null 2>&1
		wait_until 5 no_pgpulse_connections
	fi
	restart_if_stopped PgBouncer harness_bouncer_running harness_bouncer_start
	# Every test starts from empty servers (no pooled or stray sessions).
	harness_reset >>"$log" 2>&1 ||
		failed_reason=${failed_reason:+$failed_reason; }"left sessions open that the harness could not clear"

	if [ -z "$failed_reason" ]; then
		echo "PASS $fn"
		return 0
	fi
	echo "FAIL $fn"
	echo "  ${file##*/}: $failed_reason"
	sed 's/^/  > /' "$log"
	show_new_log postgresql "$PG_LOG" "$pg_from" "$pg_to"
	show_new_log pgbouncer "$BOUNCER_LOG" "$bouncer_from" "$bouncer_to"
	return 1
}

main() {
	local tests
	tests=$(list_tests)
	if [ -n "$TEST_FILTER" ]; then
		tests=$(printf '%s\n' "$tests" | awk -F '\t' -v re="$TEST_FILTER" 'NF == 2 && ($2 ~ re || $2 == "!broken")')
	fi

	if [ -z "$tests" ]; then
		echo "0 passed, 0 failed"
		echo "run.sh: no tests found in $INTEGRATION_DIR${TEST_FILTER:+ matching PGPULSE_TESTS='$TEST_FILTER'}" >&2
		exit 1
	fi

	if ! harness_start; then
		echo "run.sh: the test harness could not start (see the harness: lines above)" >&2
		exit 99
	fi
	trap 'on_signal TERM' TERM
	trap 'on_signal INT' INT

	local passed=0 failed=0 file fn
	while IFS=$'\t' read -r file fn; do
		[ -n "$fn" ] || continue
		if [ "$fn" = '!broken' ]; then
			echo "FAIL ${file##*/}"
			echo "  ${file##*/}: does not parse; none of its tests ran"
			bash -n "$file" 2>&1 | sed 's/^/  > /'
			failed=$((failed + 1))
			continue
		fi
		if run_one "$file" "$fn"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done <<<"$tests"

	harness_stop
	if [ -n "${HARNESS_FAKE_SERVER_FAILED:-}" ]; then
		echo "run.sh: the harness's fake servers reported sanitizer errors (above)" >&2
		failed=$((failed + 1))
	fi
	echo "$passed passed, $failed failed"
	if ((passed + failed == 0)); then
		echo "run.sh: no tests ran${TEST_FILTER:+ (PGPULSE_TESTS='$TEST_FILTER' matched none)}" >&2
		exit 1
	fi
	((failed == 0)) || exit 1
	exit 0
}

main "$@"
