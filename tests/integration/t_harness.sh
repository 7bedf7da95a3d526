# shellcheck shell=bash
#
# t_harness.sh: the harness itself. These tests need no pgpulse; they pin
# down that the servers behave the way the pgpulse tests expect them to.

harness_psql() {
	PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} "$PG_BINDIR/psql" -X -A -t -q "$@" </dev/null
}

test_harness_tls_server_answers() {
	local out
	out=$(PGPASSWORD=$APP_PASSWORD harness_psql \
		"host=localhost hostaddr=127.0.0.1 port=$PG_PORT user=app dbname=appdb sslmode=verify-full sslrootcert=$PG_CA" \
		-c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
	assert_eq t "$out" "TLS verified against the harness CA by name"

	# The certificate names the IP address too (libpq checks IP SANs).
	out=$(PGPASSWORD=$APP_PASSWORD harness_psql \
		"host=127.0.0.1 port=$PG_PORT user=app dbname=appdb sslmode=verify-full sslrootcert=$PG_CA" \
		-c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
	assert_eq t "$out" "TLS verified against the harness CA by IP address"
}

test_harness_ipv6_loopback_answers() {
	[ "$PG_HAS_IPV6" = 1 ] || { echo "no ::1 on this machine; nothing to check"; return 0; }
	local out
	out=$(harness_psql "host=::1 port=$PG_PORT user=postgres dbname=postgres sslmode=require" \
		-c "SELECT family(inet_client_addr())")
	assert_eq 6 "$out" "connected over IPv6"
}

test_harness_app_password_is_required() {
	run_cmd env PGPASSWORD=wrong "$PG_BINDIR/psql" -X -A -t -q \
		"host=127.0.0.1 port=$PG_PORT user=app dbname=appdb" -c "SELECT 1"
	assert_ne 0 "$status" "a wrong password must not get in"
	assert_contains "$stderr" 'password authentication failed for user "app"' "SCRAM rejects the wrong password"
	assert_not_contains "$stderr" "$APP_PASSWORD" "no password in the error"
}

test_harness_app_statement_timeout_comes_from_user() {
	local out
	out=$(PGPASSWORD=$APP_PASSWORD harness_psql "host=127.0.0.1 port=$PG_PORT user=app dbname=appdb" \
		-c "SELECT current_setting('statement_timeout') || ' ' || source FROM pg_settings WHERE name = 'statement_timeout'")
	assert_eq "30s user" "$out" "ALTER ROLE app SET statement_timeout is in effect"
}

test_harness_max_connections_fills() {
	# 20 slots, 3 reserved for superusers: 17 leave none for app...
	hold_connections 17 harness_fill
	run_cmd env PGPASSWORD="$APP_PASSWORD" "$PG_BINDIR/psql" -X -A -t -q \
		"host=127.0.0.1 port=$PG_PORT user=app dbname=appdb" -c "SELECT 1"
	assert_ne 0 "$status" "app is refused"
	assert_contains "$stderr" "remaining connection slots are reserved for non-replication superuser connections" \
		"the 53300 reserved-slots message"

	# ... and 3 more leave none for anyone.
	hold_connections 3 harness_fill_reserved
	run_cmd "$PG_BINDIR/psql" -X -A -t -q "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" -c "SELECT 1"
	assert_ne 0 "$status" "even the superuser is refused"
	assert_contains "$stderr" "sorry, too many clients already" "the 53300 too-many-clients message"

	release_connections
	assert_eq 0 "$(pgpulse_open_count harness_fill)" "held sessions released"
	harness_psql "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" -c "SELECT 1" >/dev/null
}

test_harness_limited_role_connection_limit() {
	hold_connections 2 harness_limited limited
	run_cmd env PGPASSWORD="$LIMITED_PASSWORD" "$PG_BINDIR/psql" -X -A -t -q \
		"host=127.0.0.1 port=$PG_PORT user=limited dbname=postgres" -c "SELECT 1"
	assert_ne 0 "$status" "the third session of limited is refused"
	assert_contains "$stderr" 'too many connections for role "limited"' "CONNECTION LIMIT 2 applies"
	release_connections harness_limited
}

test_harness_hold_connections_reports_refusal() {
	local t0 err=$PWD/hold.err
	t0=$(harness__now_us)
	if hold_connections 3 harness_too_many limited 2>"$err"; then
		assert_eq "failure" "success" "a third session of limited cannot be held"
	fi
	assert_contains "$(cat "$err")" 'too many connections for role "limited"' "says why"
	(($(harness__now_us) - t0 < 10000000)) || assert_eq "< 10 s" "slow" "fails fast, not at the timeout"
	assert_eq 0 "$(pgpulse_open_count harness_too_many)" "the sessions that got in were released"
	assert_eq "" "$(ls "$HARNESS_TMP/holds")" "no hold left on record"
}

test_harness_bouncer_passes_queries() {
	local out
	out=$(harness_psql "host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb" -c "SELECT current_user || '@' || current_database()")
	assert_eq "app@appdb" "$out" "PgBouncer logs in to PostgreSQL as app"
}

test_harness_bouncer_session_limits() {
	# max_client_conn = 6: six idle clients fill PgBouncer without a server.
	HOLD_QUERY= HOLD_DB=appdb hold_connections 6 harness_bouncer_idle app "$BOUNCER_PORT"
	run_cmd "$PG_BINDIR/psql" -X -A -t -q "host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb" -c "SELECT 1"
	assert_ne 0 "$status" "the seventh client is refused"
	assert_contains "$stderr" "no more connections allowed (max_client_conn)" "PgBouncer's max_client_conn message"
	release_connections
}

test_harness_bouncer_pool_wait_times_out() {
	# default_pool_size = 2 in session mode: two running sessions take both
	# server connections; a third client waits query_wait_timeout (3 s).
	HOLD_DB=appdb hold_connections 2 harness_bouncer_busy app "$BOUNCER_PORT"
	run_cmd "$PG_BINDIR/psql" -X -A -t -q "host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb" -c "SELECT 1"
	assert_ne 0 "$status" "the third session gets no server"
	assert_contains "$stderr" "query_wait_timeout" "PgBouncer's query_wait_timeout message"
	release_connections
}

test_harness_fake_session_message() {
	local before after
	before=$(cat "$FAKE_SESSION_COUNTFILE")
	run_cmd "$PG_BINDIR/psql" -X -A -t -q "host=127.0.0.1 port=$FAKE_SESSION_PORT user=app dbname=postgres" -c "SELECT 1"
	assert_ne 0 "$status" "the fake Supavisor refuses"
	assert_contains "$stderr" "FATAL:  $SESSION_MODE_MESSAGE" "Supavisor's session-mode message, verbatim"
	after=$(cat "$FAKE_SESSION_COUNTFILE")
	# psql (sslmode=prefer) connects once: SSLRequest, 'N', startup, error.
	assert_eq $((before + 1)) "$after" "one connection accepted"
}

test_harness_fake_silent_never_answers() {
	run_cmd env PGCONNECT_TIMEOUT=1 "$PG_BINDIR/psql" -X -A -t -q \
		"host=127.0.0.1 port=$FAKE_SILENT_PORT user=app dbname=postgres" -c "SELECT 1"
	assert_ne 0 "$status" "nothing ever answers"
	assert_contains "$stderr" "timeout expired" "libpq gives up by its own timeout"
	assert_match '^[1-9][0-9]*$' "$(fake_server_count silent)" "the silent server accepted the connection"
}

test_harness_refused_port_refuses() {
	run_cmd "$PG_BINDIR/psql" -X -A -t -q "host=127.0.0.1 port=$REFUSED_PORT user=app dbname=postgres" -c "SELECT 1"
	assert_ne 0 "$status" "nothing listens"
	assert_contains "$stderr" "Connection refused" "the kernel refuses"
}

test_harness_fake_server_start_custom_message() {
	local port
	port=$(fake_server_start pool_timeout error --sqlstate XX000 \
		--message "Unable to check out connection from the pool due to timeout")
	run_cmd "$PG_BINDIR/psql" -X -A -t -q "host=127.0.0.1 port=$port sslmode=disable user=app dbname=postgres" -c "SELECT 1"
	assert_contains "$stderr" "Unable to check out connection from the pool due to timeout" "custom message"
	assert_eq 1 "$(fake_server_count pool_timeout)" "one connection"

	port=$(fake_server_start hangup close)
	run_cmd "$PG_BINDIR/psql" -X -A -t -q "host=127.0.0.1 port=$port user=app dbname=postgres" -c "SELECT 1"
	assert_contains "$stderr" "server closed the connection unexpectedly" "close mode hangs up"
}

test_harness_wait_until_is_bounded() {
	local t0 t1
	t0=$(harness__now_us)
	if wait_until 0.3 false; then
		assert_eq 1 0 "wait_until false must time out"
	fi
	t1=$(harness__now_us)
	assert_match '^[0-9]+$' "$(((t1 - t0) / 1000))" "elapsed ms"
	(((t1 - t0) < 2000000)) || assert_eq "< 2 s" "$(((t1 - t0) / 1000)) ms" "wait_until returned in time"
	wait_until 5 true
}
