# shellcheck shell=bash
#
# t_burst.sh: burst's headroom answer against the harness's real servers:
# exactly what fits, through PgBouncer (which refuses a crowd that would
# fit), never more than N, and nothing left open, also when interrupted
# while connecting or holding; the question on a terminal.
#
# shellcheck disable=SC2154 # status, output, stderr: set by lib.sh's run_cmd

# mc_app_uri, mc_open_count_is, mc_dead: the max-clients tests' helpers, one home.
# shellcheck source=t_maxclients.sh
. "${BASH_SOURCE[0]%/*}/t_maxclients.sh"

test_burst_finds_the_headroom_exactly() {
	require_pgpulse
	hold_connections 5 api
	run_cmd "$PGPULSE" burst -n 30 --yes --json "$(mc_app_uri)"
	assert_eq 1 "$status" "some were refused: the headroom answer (stderr: $stderr)"
	local j=$output
	# 17 usable slots, 5 held: exactly 12 more fit for an ordinary role.
	assert_json "$j" '.requested == 30 and .opened == 12' "opened the usable slots left"
	assert_json "$j" '.open_ms > 0 and .held_ms >= 900' "timed, held about the default second"
	assert_json "$j" '.first_error.class == "max_clients" and .first_error.sqlstate == "53300" and .first_error.limit == "reserved_slots" and .first_error.phase == "auth"' "the first failure, as check's error"
	assert_json "$j" '.first_error.message == "remaining connection slots are reserved for non-replication superuser connections" and (.first_error.advice | length > 0)' "message and advice"
	assert_json "$j" 'keys == ["first_error", "held_ms", "open_ms", "opened", "requested"]' "the documented keys"
	wait_until 5 mc_open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "burst left nothing open"

	run_cmd "$PGPULSE" burst -n 3 --hold 0 --yes "$(mc_app_uri)"
	assert_eq 0 "$status" "all three got in"
	assert_match 'opened 3 of 3 connections in [0-9.]+ m?s; no failure' "$output" "text form"
	wait_until 5 mc_open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "burst left nothing open"

	HOLD_QUERY='' hold_connections 12 api_rest
	run_cmd "$PGPULSE" burst -n 4 --hold 0 --yes "$(mc_app_uri)"
	assert_eq 2 "$status" "none got in"
	assert_match 'opened 0 of 4 connections in .*; first failure after 0: max_clients \(53300\) remaining connection slots' "$output" "text form of a refusal"
	assert_contains "$output" "advice: " "advice line"
	release_connections
}

# PgBouncer's clients, as its SHOW CLIENTS lists them (the admin
# connection asking is one of them); with a database, only that one's.
mc_bouncer_clients() {
	bouncer_admin "SHOW CLIENTS" | awk -F '|' -v db="${1:-}" 'db == "" || $3 == db' | grep -c . || true
}

mc_bouncer_clients_are() {
	[ "$(mc_bouncer_clients "${2:-}")" = "$1" ]
}

mc_bouncer_stopped() {
	! harness_bouncer_running
}

# A freshly started PgBouncer: it has not logged in to the server yet.
mc_bouncer_restart() {
	kill -TERM "$(head -n1 "$BOUNCER_PIDFILE")"
	wait_until 10 mc_bouncer_stopped || assert_eq "stopped" "running" "PgBouncer stops on SIGTERM"
	harness_bouncer_start
}

mc_bouncer_dsn() {
	echo "host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb"
}

# mc_burst_bouncer N OPENED: burst -n N through PgBouncer gets OPENED in,
# the rest refused at max_client_conn, and leaves no client behind.
mc_burst_bouncer() {
	local n=$1 opened=$2 baseline
	baseline=$(mc_bouncer_clients)
	run_cmd "$PGPULSE" burst -n "$n" --hold 0.2 --yes --json "$(mc_bouncer_dsn)"
	echo "burst -n $n through PgBouncer: $output"
	assert_eq 1 "$status" "some were refused: the headroom answer (stderr: $stderr)"
	assert_json "$output" ".requested == $n and .opened == $opened" "max_client_conn = 6 minus those already in"
	assert_json "$output" '.first_error.class == "max_clients" and .first_error.sqlstate == "08P01" and .first_error.limit == "pgbouncer_max_client_conn"' "PgBouncer's client limit"
	assert_json "$output" '.first_error.message == "no more connections allowed (max_client_conn)"' "PgBouncer's message"
	wait_until 5 mc_bouncer_clients_are "$baseline" ||
		assert_eq "$baseline" "$(mc_bouncer_clients)" "burst left no client in PgBouncer"
}

test_burst_through_pgbouncer_finds_max_client_conn() {
	require_pgpulse
	# PgBouncer checks max_client_conn against every socket it has
	# accepted, so ten arriving together can all be refused though six fit
	# (a fresh PgBouncer does it most often): taking the crowd's refusals
	# for the limit said 0 of 10, or 2 of 7. What fits at once is six.
	mc_bouncer_restart
	mc_burst_bouncer 10 6
	mc_bouncer_restart
	mc_burst_bouncer 7 6
	# Warm (the pool has logged in to the server), the same answer.
	mc_burst_bouncer 10 6

	run_cmd "$PGPULSE" burst -n 6 --hold 0 --yes --json "$(mc_bouncer_dsn)"
	assert_eq 0 "$status" "six fit (stderr: $stderr)"
	assert_json "$output" '.opened == 6 and .first_error == null' "all six in, no failure"

	# Four clients already in: two more fit.
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 4 idle_clients app "$BOUNCER_PORT"
	mc_burst_bouncer 10 2
	release_connections
	wait_until 5 mc_bouncer_clients_are 0 appdb || assert_eq 0 "$(mc_bouncer_clients appdb)" "released"
}

test_burst_through_pgbouncer_holds_six_at_once() {
	require_pgpulse
	local out=$PWD/burst.out pid rc=0
	mc_bouncer_restart
	"$PGPULSE" burst -n 10 --hold 3 --yes --json "$(mc_bouncer_dsn)" >"$out" 2>&1 &
	pid=$!
	# PgBouncer logs its clients in without a server each (the pool has
	# two); what burst holds are client slots, all six at the same time.
	wait_until 10 mc_bouncer_clients_are 6 appdb || assert_eq 6 "$(mc_bouncer_clients appdb)" "six clients in PgBouncer at once"
	wait_until 15 mc_dead "$pid" || assert_eq "exited" "running" "burst ends after its hold"
	wait "$pid" || rc=$?
	assert_eq 1 "$rc" "some were refused"
	assert_json "$(cat "$out")" '.opened == 6 and .first_error.limit == "pgbouncer_max_client_conn"' "the answer"
	wait_until 5 mc_bouncer_clients_are 0 appdb || assert_eq 0 "$(mc_bouncer_clients appdb)" "burst left no client in PgBouncer"
}

test_burst_never_exceeds_n() {
	require_pgpulse
	local out=$PWD/burst.out pid max=0 c i
	"$PGPULSE" burst -n 4 --hold 3 --yes --json "$(mc_app_uri)" >"$out" 2>&1 &
	pid=$!
	for ((i = 0; i < 30; i++)); do
		c=$(pgpulse_open_count)
		((c > max)) && max=$c
		mc_dead "$pid" && break
		sleep 0.1
	done
	wait_until 15 mc_dead "$pid"
	wait "$pid" || true
	assert_eq 4 "$max" "at most N connections, and all N while held"
	assert_json "$(cat "$out")" '.opened == 4 and .first_error == null' "all got in"
	wait_until 5 mc_open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "closed"
}

# mc_burst_interrupted SIGNAL: a held burst ends at once on SIGNAL.
mc_burst_interrupted() {
	local sig=$1 out=$PWD/burst-$1.out pid t0 ms rc=0
	"$PGPULSE" burst -n 10 --hold 60 --yes "$(mc_app_uri)" >"$out" 2>&1 &
	pid=$!
	wait_until 15 mc_open_count_is 10 || assert_eq 10 "$(pgpulse_open_count)" "ten connections held"
	t0=$(harness__now_us)
	kill -"$sig" "$pid"
	wait_until 5 mc_dead "$pid" || assert_eq "exited" "running" "burst ends promptly on SIG$sig"
	ms=$((($(harness__now_us) - t0) / 1000))
	wait "$pid" || rc=$?
	echo "SIG$sig: exited after $ms ms with $rc"
	assert_contains "$(cat "$out")" "closed all of them at once on a stop signal" "says so"
	# Already answered (all 10 in), so the exit status is the answer's.
	assert_eq 0 "$rc" "all had got in"
	wait_until 5 mc_open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "the server holds none of burst's connections"
}

test_burst_sigint_closes_everything() {
	require_pgpulse
	mc_burst_interrupted INT
}

test_burst_sigterm_closes_everything() {
	require_pgpulse
	mc_burst_interrupted TERM
}

mc_silent_accepted_at_least() {
	(($(fake_server_count silent) >= $1))
}

test_burst_interrupted_while_connecting() {
	require_pgpulse
	local out=$PWD/burst.out pid rc=0 before
	before=$(fake_server_count silent)
	# The silent server never answers: every connection is still on its way.
	"$PGPULSE" burst -n 5 --yes -t 30 "$FAKE_SILENT_URL" >"$out" 2>&1 &
	pid=$!
	wait_until 10 mc_silent_accepted_at_least "$((before + 5))" ||
		assert_eq 5 "$(($(fake_server_count silent) - before))" "five connections on their way"
	kill -INT "$pid"
	wait_until 5 mc_dead "$pid" || assert_eq "exited" "running" "burst ends promptly while connecting"
	wait "$pid" || rc=$?
	assert_eq 3 "$rc" "no answer: unknown"
	assert_contains "$(cat "$out")" "interrupted after opening 0 of 5 connections" "says so"
}

test_burst_needs_yes_without_a_terminal() {
	require_pgpulse
	local before
	before=$(cat "$FAKE_SESSION_COUNTFILE")
	run_cmd "$PGPULSE" burst -n 3 "$FAKE_SESSION_URL"
	assert_eq 3 "$status" "refused"
	assert_contains "$stderr" "pass --yes" "says what to do"
	assert_eq "$before" "$(cat "$FAKE_SESSION_COUNTFILE")" "not one connection attempted"

	run_cmd "$PGPULSE" burst "$FAKE_SESSION_URL"
	assert_eq 3 "$status" "-n is required"
	run_cmd "$PGPULSE" burst -n 0 --yes "$FAKE_SESSION_URL"
	assert_eq 3 "$status" "-n 0 is a usage error"
}

test_burst_asks_on_a_terminal() {
	require_pgpulse
	# script(1) is in bsdutils, which every Debian has.
	command -v script >/dev/null 2>&1 || assert_eq "script(1)" "missing" "a terminal for the question"
	local out
	# script(1) gives pgpulse a terminal; the answer comes through it.
	out=$(printf 'n\n' | timeout 20 script -qec "$PGPULSE burst -n 2 --hold 0 $(mc_app_uri)" /dev/null 2>&1) || true
	assert_contains "$out" "Open up to 2 connections at once to postgresql://app:***@127.0.0.1:$PG_PORT/appdb? This uses 2 of the server's slots for about 0 s. [y/N]" "the question"
	assert_contains "$out" "burst cancelled" "no is no"
	assert_not_contains "$out" "connections in" "nothing opened"

	out=$(printf 'y\n' | timeout 20 script -qec "$PGPULSE burst -n 2 --hold 0 $(mc_app_uri)" /dev/null 2>&1) || true
	assert_contains "$out" "opened 2 of 2 connections" "yes runs it"
	wait_until 5 mc_open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "closed"
}
