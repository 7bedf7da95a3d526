# shellcheck shell=bash
#
# t_maxclients.sh: max-clients incidents against the harness's real
# servers: which limit was hit, who holds the slots, back-off that keeps
# pgpulse from adding to the load, and burst's headroom answer that leaves
# nothing open, also when interrupted.
#
# shellcheck disable=SC2154 # status, output, stderr: set by lib.sh's run_cmd

mc_app_uri() {
	echo "postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/${1:-appdb}"
}

mc_superuser() {
	echo "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
}

mc_open_count_is() {
	[ "$(pgpulse_open_count)" = "$1" ]
}

mc_dead() {
	! kill -0 "$1" 2>/dev/null
}

test_maxclients_postgres_full_names_limit_and_culprit() {
	require_pgpulse
	# 17 usable slots (20 minus 3 reserved), all taken by an idle pool.
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 17 api app

	run_cmd "$PGPULSE" check --json "$(mc_app_uri)"
	assert_eq 2 "$status" "app finds no slot (stderr: $stderr)"
	assert_json "$output" '.error.class == "max_clients" and .error.sqlstate == "53300"' "max_clients 53300"
	assert_json "$output" '.error.limit == "reserved_slots"' "only the superuser slots are left"
	assert_json "$output" '.error.advice | test("reserved")' "advice about reserved slots"

	# The superuser still gets in, and names the pool that holds the slots.
	run_cmd "$PGPULSE" check --json "$(mc_superuser)"
	assert_json "$output" '.error == null' "the superuser gets a reserved slot (stderr: $stderr)"
	assert_json "$output" '[.slots.top_holders[] | select(.application_name == "api")][0].count == 17' "api's 17 sessions"
	assert_json "$output" '.slots.culprit | startswith("api holds 17 of 17 usable slots, 17 of them idle: a client-side pool")' "culprit named"

	# The last three slots go too: now nobody gets in.
	HOLD_QUERY='' hold_connections 3 api_admin
	run_cmd "$PGPULSE" check --json "$(mc_superuser)"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "max_connections"' "sorry, too many clients already"
	assert_json "$output" '.error.message == "sorry, too many clients already"' "PostgreSQL's message"
	release_connections
}

mc_idle_in_xact_is() {
	[ "$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'worker' AND state = 'idle in transaction'")" = "$1" ]
}

test_maxclients_culprit_idle_in_transaction() {
	require_pgpulse
	# Each session opens a transaction and then sits in it (the sleep lets
	# hold_connections see it running first).
	HOLD_QUERY="BEGIN; SELECT pg_sleep(2)" HOLD_DB=appdb hold_connections 3 worker app
	wait_until 10 mc_idle_in_xact_is 3 || assert_eq 3 "not yet" "three sessions idle in transaction"
	run_cmd "$PGPULSE" check --json "$(mc_superuser)"
	assert_json "$output" '.slots.idle_in_transaction == 3' "counted"
	assert_json "$output" '[.slots.top_holders[] | select(.application_name == "worker")][0].idle_in_transaction == 3' "worker holds them"
	# A few young transactions are normal: nothing stands out yet.
	assert_json "$output" '.slots.culprit == null' "no culprit for 3 of 17 slots, seconds old"
	release_connections

	HOLD_QUERY="BEGIN; SELECT pg_sleep(2)" HOLD_DB=appdb hold_connections 9 worker app
	wait_until 10 mc_idle_in_xact_is 9 || assert_eq 9 "not yet" "nine sessions idle in transaction"
	run_cmd "$PGPULSE" check --json "$(mc_superuser)"
	assert_json "$output" '.slots.culprit | test("^worker holds 9 of 17 usable slots, 9 idle in transaction, the longest for [0-9]+ s: a missing commit/rollback$")' "half the slots idle in transaction: named"
	release_connections
}

test_maxclients_role_and_database_limits() {
	require_pgpulse
	HOLD_QUERY='' hold_connections 2 limited_holder limited
	run_cmd "$PGPULSE" check --json "postgresql://limited:$LIMITED_PASSWORD@127.0.0.1:$PG_PORT/postgres"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "role_limit"' "CONNECTION LIMIT 2 on the role"
	release_connections

	pg_admin "CREATE DATABASE mc_limited CONNECTION LIMIT 1" >/dev/null
	HOLD_QUERY='' HOLD_DB=mc_limited hold_connections 1 db_holder
	run_cmd "$PGPULSE" check --json "$(mc_app_uri mc_limited)"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "database_limit"' "CONNECTION LIMIT 1 on the database"
	release_connections
	pg_admin "DROP DATABASE mc_limited" >/dev/null
}

test_maxclients_pgbouncer_max_client_conn() {
	require_pgpulse
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 6 idle_clients app "$BOUNCER_PORT"
	run_cmd "$PGPULSE" check --json "$BOUNCER_APP_URL"
	assert_eq 2 "$status" "PgBouncer refuses"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "pgbouncer_max_client_conn"' "limit kind"
	assert_json "$output" '.error.advice | test("max_client_conn")' "advice names the setting"
	release_connections
}

test_maxclients_pgbouncer_pool_wait_times_out() {
	require_pgpulse
	# default_pool_size = 2: two running sessions take both server connections.
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	run_cmd "$PGPULSE" check --json "$BOUNCER_APP_URL"
	assert_eq 2 "$status" "the third client gets no server"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "pgbouncer_pool"' "query_wait_timeout is the pool"
	assert_json "$output" '.error.message | test("query_wait_timeout")' "PgBouncer's message"

	# The server itself has room: the direct target sees who holds the pool.
	run_cmd "$PGPULSE" check --json "$(mc_superuser)"
	assert_json "$output" '[.slots.top_holders[] | select(.application_name == "busy")][0].active == 2' "the pool's two sessions, active"
	release_connections
}

test_maxclients_pgbouncer_relays_the_server_refusal() {
	require_pgpulse
	# The server is full; the pooler cannot log in and passes the refusal on.
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 17 api app
	run_cmd "$PGPULSE" check --json "$BOUNCER_APP_URL"
	assert_eq 2 "$status" "PgBouncer cannot get a server connection"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "reserved_slots"' "the server's limit, through the pooler"
	assert_json "$output" '.error.message == "remaining connection slots are reserved for non-replication superuser connections"' "the server's words"
	# Meanwhile the direct superuser target says who holds the server.
	run_cmd "$PGPULSE" check --json "$(mc_superuser)"
	assert_json "$output" '.slots.culprit | startswith("api holds 17 of 17 usable slots")' "culprit through the direct target"
	release_connections
}

test_maxclients_supavisor_session_pool() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "$FAKE_SESSION_URL"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "supavisor_session_pool"' "session pool limit"
}

test_maxclients_watch_jsonl_carries_the_limit() {
	require_pgpulse
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 17 api app
	run_cmd "$PGPULSE" watch --format jsonl --count 3 --interval 0.1 --no-backoff "$(mc_app_uri)"
	assert_eq 2 "$status" "no probe got in"
	assert_eq 3 "$(printf '%s\n' "$output" | grep -c .)" "one record per probe"
	assert_json "$(printf '%s\n' "$output" | jq -s .)" 'map(.ok == false and .error.class == "max_clients" and .error.limit == "reserved_slots") | all' "every record names the limit"
	assert_contains "$stderr" "max_clients=3" "the summary counts the incident's probes"
	release_connections
}

# Runs watch against the fake Supavisor for a fixed time; prints how many
# connections the fake server accepted meanwhile.
mc_attempts_in() {
	local seconds=$1 before after
	shift
	before=$(cat "$FAKE_SESSION_COUNTFILE")
	timeout -s INT -k 5 "$seconds" "$PGPULSE" watch --format jsonl --interval 0.2 "$@" "$FAKE_SESSION_URL" \
		>"$PWD/watch.$seconds.$#.out" 2>&1 || true
	after=$(cat "$FAKE_SESSION_COUNTFILE")
	echo $((after - before))
}

test_maxclients_backoff_counts_fewer_attempts() {
	require_pgpulse
	local with without
	# 4 s at 0.2 s: without back-off ~20 attempts; with it the interval
	# doubles (0.4, 0.8, 1.6, 3.2 s), so ~4. Same run, same machine: a ratio.
	with=$(mc_attempts_in 4)
	without=$(mc_attempts_in 4 --no-backoff)
	echo "attempts in 4 s: with back-off $with, without $without"
	assert_match '^[0-9]+$' "$with" "count read"
	((with >= 2)) || assert_eq ">= 2" "$with" "it still probes while backing off"
	((with <= 6)) || assert_eq "<= 6" "$with" "back-off: the interval doubles each time"
	((without >= 2 * with + 4)) || assert_eq ">= $((2 * with + 4))" "$without" "without back-off it keeps the base interval"
}

test_maxclients_backoff_against_postgres_log() {
	require_pgpulse
	local before after n
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 17 api app
	# Every attempt, refused or not, is a "connection received" line.
	before=$(grep -c 'connection received: host=127.0.0.1' "$PG_LOG" || true)
	timeout -s INT -k 5 3 "$PGPULSE" watch --format jsonl --interval 0.1 "$(mc_app_uri)" >/dev/null 2>&1 || true
	after=$(grep -c 'connection received: host=127.0.0.1' "$PG_LOG" || true)
	n=$((after - before))
	echo "attempts in 3 s at 0.1 s with back-off: $n"
	# 0, 0.2, 0.6, 1.4, 3.0 s: 4 or 5 (without back-off: 30).
	((n >= 2 && n <= 6)) || assert_eq "2..6" "$n" "PostgreSQL saw few attempts"
	release_connections
}

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

# A host with only IPv6 addresses on a machine without an IPv6 route (as
# Supabase's direct db.<ref>.supabase.co from many hosts): the advice points
# at the IPv4 pooler. A fresh network namespace has no routes at all, so
# nothing leaves this machine; documentation addresses (RFC 3849/5737).
test_maxclients_ipv6_only_without_route_advises_ipv4_pooler() {
	require_pgpulse
	if ! unshare -n true 2>/dev/null; then
		# CI runs as root, where this must work; elsewhere it cannot.
		[ "$(id -u)" != 0 ] || assert_eq "unshare -n works" "it failed" "a routeless namespace as root"
		echo "unshare -n is not allowed here (needs root): nothing to check"
		return 0
	fi
	run_cmd unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$0" check --json -t 2 "$1"' \
		"$PGPULSE" "host=2001:db8::1 port=5432 user=app"
	assert_eq 2 "$status" "unreachable is critical"
	assert_json "$output" '.error.class == "unreachable" and .error.phase == "tcp"' "class unreachable"
	assert_json "$output" '.error.advice | test("IPv4 pooler")' "advice: the IPv4 pooler"

	run_cmd unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$0" check --json -t 2 "$1"' \
		"$PGPULSE" "host=192.0.2.1 port=5432 user=app"
	assert_json "$output" '.error.class == "unreachable" and (.error.advice | test("IPv4 pooler") | not)' "an IPv4 address gets the general advice"
}
