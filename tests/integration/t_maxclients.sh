# shellcheck shell=bash
#
# t_maxclients.sh: max-clients incidents against the harness's real
# servers: which limit was hit, who holds the slots, and back-off that keeps
# pgpulse from adding to the load. burst's tests are in t_burst.sh.
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
