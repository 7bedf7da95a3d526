# shellcheck shell=bash
#
# t_pooler.sh: the pooler's side of an incident against the harness's real
# PgBouncer 1.18 (session mode, default_pool_size 2, max_client_conn 6,
# query_wait_timeout 3 s): admin.c's reader driven by tests/admin_driver
# in its own poll loop, and what pooler.c makes of the console's answers
# joined to the server's pg_stat_activity.
#
# shellcheck disable=SC2154 # status, output, stderr: set by lib.sh's run_cmd

# shellcheck source=tmux.sh
. "${BASH_SOURCE[0]%/*}/tmux.sh"

pl_driver() {
	local d=${ADMIN_DRIVER:-$(dirname "${PGPULSE:-.}")/tests/admin_driver}
	[ -x "$d" ] || lib__fail "$(lib__where)" "tests/admin_driver not built" \
		"looked at '$d' (run 'make check', or set ADMIN_DRIVER)"
	echo "$d"
}

# A target's parameters for PgBouncer with USER (default postgres).
pl_target() {
	local user=${1:-postgres} pw=
	[ "$user" = app ] && pw=" password=$APP_PASSWORD"
	echo "host=127.0.0.1 port=$BOUNCER_PORT user=$user dbname=appdb$pw"
}

pl_backends() {
	echo "host=$PG_SOCKET_DIR port=$PG_PORT user=postgres dbname=postgres"
}

pl_pool_waiting() {
	local w
	w=$(bouncer_admin "SHOW POOLS" | awk -F'|' '$1 == "appdb" && $2 == "app" { print $4 }')
	[ -n "$w" ] && ((w >= 1))
}

pl_pool_servers_idle() {
	local n
	n=$(bouncer_admin "SHOW POOLS" | awk -F'|' '$1 == "appdb" && $2 == "app" { print $10 }')
	[ "${n:-0}" = "$1" ]
}

# One client through PgBouncer that waits for a server (the probe's place).
pl_queue_one() {
	PGPASSWORD=$APP_PASSWORD PGAPPNAME=queued PGCONNECT_TIMEOUT=5 PGOPTIONS='' \
		"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$BOUNCER_PORT" -U app -d appdb \
		-c 'SELECT 1' >/dev/null 2>&1 </dev/null &
}

test_pooler_admin_user_reads_everything() {
	local d
	d=$(pl_driver)
	HOLD_DB=appdb hold_connections 1 api app "$BOUNCER_PORT"
	run_cmd "$d" --target "$(pl_target postgres)" --database appdb --user app
	assert_eq 0 "$status" "driver ran (stderr: $stderr)"
	assert_json "$output" '.pooler.kind == "pgbouncer" and .pooler.admin == "ok" and .pooler.version == "1.18.0"' "admin user reads the console"
	assert_json "$output" '.pooler.max_client_conn == 6 and .pooler.clients_in_use == 1' "max_client_conn and the one client (our reader not counted)"
	assert_json "$output" '.config.default_pool_size == 2 and .config.query_wait_timeout_s == 3 and .config.pool_mode == "session" and .config.server_idle_timeout_s == 600' "SHOW CONFIG"
	assert_json "$output" '[.pooler.pools[] | select(.database == "appdb" and .user == "app")][0] | .mode == "session" and .pool_size == 2 and .sv_active == 1 and .cl_waiting == 0' "SHOW POOLS with the size from SHOW DATABASES"
	assert_json "$output" '[.pooler.pools[] | select(.database == "pgbouncer")] | length == 0' "the console's own pool is left out"
	assert_json "$output" '.pooler.top_clients[0] | .application_name == "api" and .count == 1' "SHOW CLIENTS"
	assert_json "$output" '.culprit == null and .queue == null and .reason == null' "nothing wrong"
	assert_json "$output" '.elapsed_ms < 3000' "within its deadline"
}

test_pooler_stats_user_reads() {
	local d
	d=$(pl_driver)
	HOLD_DB=appdb hold_connections 1 api app "$BOUNCER_PORT"
	run_cmd "$d" --target "$(pl_target monitor)" --database appdb --user app
	assert_json "$output" '.pooler.admin == "ok" and .pooler.version == "1.18.0"' "stats_users may read (stderr: $stderr)"
	assert_json "$output" '.pooler.max_client_conn == 6 and (.pooler.pools | length) == 1 and .pooler.top_clients[0].application_name == "api"' "the same view as the admin user"
}

test_pooler_no_right_is_denied_with_one_line() {
	local d
	d=$(pl_driver)
	# The target's own credentials: app is in neither admin_users nor stats_users.
	run_cmd "$d" --target "$(pl_target app)"
	assert_eq 0 "$status" "driver ran (stderr: $stderr)"
	assert_json "$output" '.pooler.kind == "pgbouncer" and .pooler.admin == "denied"' "denied"
	assert_json "$output" '.reason | test("^user \"app\" may not read PgBouncer.s admin console: add it to stats_users \\(read-only\\) or admin_users")' "says which setting grants it"
	assert_json "$output" '.reason | contains("\n") | not' "one line"
	assert_json "$output" '.pooler.pools == [] and .pooler.max_client_conn == null' "nothing made up"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_pooler_console_answers_with_max_client_conn_exhausted() {
	local d
	d=$(pl_driver)
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 6 idle_clients app "$BOUNCER_PORT"
	# An ordinary client is refused now...
	run_cmd env PGPASSWORD="$APP_PASSWORD" PGCONNECT_TIMEOUT=5 "$PG_BINDIR/psql" -X -h 127.0.0.1 \
		-p "$BOUNCER_PORT" -U app -d appdb -c 'SELECT 1'
	assert_ne 0 "$status" "PgBouncer refuses a seventh client"
	assert_contains "$stderr" "no more connections allowed (max_client_conn)" "PgBouncer's reason"
	# ...the console is not counted against max_client_conn.
	run_cmd "$d" --target "$(pl_target monitor)" --database appdb --user app
	assert_json "$output" '.pooler.admin == "ok" and .pooler.clients_in_use == 6 and .pooler.max_client_conn == 6' "console read while the pooler is full (stderr: $stderr)"
	assert_json "$output" '.culprit.resource == "pgbouncer_max_client_conn" and .culprit.application_name == "idle_clients" and .culprit.count == 6 and .culprit.of == 6 and .culprit.idle == 6' "the holder of the client slots"
	assert_json "$output" '.culprit.text | startswith("idle_clients (127.0.0.1) holds 6 of 6 PgBouncer client connections (max_client_conn), 6 of them without a server connection")' "the culprit line"
}

test_pooler_exhausted_session_pool_queues_and_names_the_holder() {
	local d
	d=$(pl_driver)
	# default_pool_size = 2: two running sessions take both server connections.
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	pl_queue_one
	wait_until 5 pl_pool_waiting || assert_eq waiting "none" "a client queues in SHOW POOLS"
	run_cmd "$d" --target "$(pl_target postgres)" --database appdb --user app --backends "$(pl_backends)"
	assert_json "$output" '[.pooler.pools[] | select(.database == "appdb")][0] | .cl_waiting >= 1 and .sv_active == 2 and .pool_size == 2 and .maxwait_ms >= 0' "the pool is exhausted (stderr: $stderr)"
	assert_json "$output" '.queue.limit == "pgbouncer_pool" and (.queue.message | startswith("waiting for a server connection: PgBouncer'"'"'s pool appdb/app has 2 of 2 in use"))' "a queued probe is max_clients / pgbouncer_pool"
	assert_json "$output" '.queue.advice | test("query_wait_timeout = 3 s")' "advice with the pooler's timeout"
	assert_json "$output" '.culprit.resource == "pgbouncer_pool" and .culprit.application_name == "busy" and .culprit.count == 2 and .culprit.of == 2 and .culprit.waiting >= 1' "the holding application is the culprit"
	assert_json "$output" '.culprit.text | startswith("busy (127.0.0.1) holds 2 of 2 server connections of PgBouncer'"'"'s pool appdb/app (session mode)")' "the culprit line"
	assert_json "$output" '[.pooler.top_clients[] | select(.application_name == "queued")][0].waiting == 1' "the waiting client is listed"
	# Nobody waiting once the pool frees: no queue verdict.
	release_connections busy
	run_cmd "$d" --target "$(pl_target postgres)" --database appdb --user app
	assert_json "$output" '.queue == null' "no longer queued"
}

test_pooler_join_names_the_backend_pids() {
	local d want got
	d=$(pl_driver)
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	want=$(pg_admin "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE application_name = 'busy'")
	run_cmd "$d" --target "$(pl_target postgres)" --database appdb --user app --backends "$(pl_backends)"
	got=$(printf '%s' "$output" | jq -r '[.joins[] | select(.application_name == "busy") | .backend_pid] | sort | map(tostring) | join(",")')
	assert_eq "$want" "$got" "client -> server -> backend pids match pg_stat_activity (stderr: $stderr)"
	assert_json "$output" '[.joins[] | select(.application_name == "busy") | .remote_pid == .backend_pid and .backend_state == "active"] | all' "remote_pid is the backend pid"
	assert_json "$output" '.pooler.top_clients[0].backend_states == {"active": 2}' "backend states behind the holder"
}

test_pooler_idle_server_connections_are_not_a_culprit() {
	local d i
	d=$(pl_driver)
	# Two sessions at once leave PgBouncer two server connections; they stay
	# idle in its pool (server_idle_timeout 600 s) after the clients leave.
	# (Clients that end cleanly: one killed mid-query would take its server along.)
	local pids=()
	for i in 1 2; do
		PGPASSWORD=$APP_PASSWORD PGAPPNAME=warmup PGCONNECT_TIMEOUT=5 PGOPTIONS='' \
			"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$BOUNCER_PORT" -U app -d appdb \
			-c 'SELECT pg_sleep(0.5)' >/dev/null </dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	wait_until 5 pl_pool_servers_idle 2 || assert_eq 2 "$(bouncer_admin 'SHOW POOLS')" "two idle servers"
	# Moderate use: one client holds one of the two.
	HOLD_DB=appdb hold_connections 1 api app "$BOUNCER_PORT"
	run_cmd "$d" --target "$(pl_target postgres)" --database appdb --user app --backends "$(pl_backends)"
	assert_json "$output" '[.pooler.pools[] | select(.database == "appdb")][0] | .sv_active == 1 and .sv_idle == 1' "one busy, one idle server (stderr: $stderr)"
	assert_json "$output" '.culprit == null' "no culprit at moderate use"
	# On the server side both backends are PgBouncer's server connections, not a client-side pool.
	i=$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'")
	assert_eq 2 "$i" "two backends of user app"
	assert_json "$output" '[.server_side[] | select(.owner == "pgbouncer")] | length == 2' "recognised as PgBouncer's"
	# The same view during an open incident names the holder.
	run_cmd "$d" --target "$(pl_target postgres)" --database appdb --user app --backends "$(pl_backends)" --incident
	assert_json "$output" '.culprit.application_name == "api"' "named during an incident"
}

test_pooler_admin_password_never_printed() {
	local d secret=Adm1n-S3cret-pw
	d=$(pl_driver)
	run_cmd "$d" --pooler-admin "postgresql://monitor:$secret@127.0.0.1:$BOUNCER_PORT/pgbouncer?application_name=x"
	assert_json "$output" '.pooler.admin == "ok"' "--pooler-admin conninfo reads the console (stderr: $stderr)"
	assert_not_contains "$output$stderr" "$secret" "no password in the output"
	# A denied login and an unparsable conninfo do not echo it either.
	run_cmd "$d" --pooler-admin "host=127.0.0.1 port=$BOUNCER_PORT user=app password=$secret"
	assert_json "$output" '.pooler.admin == "denied"' "denied"
	assert_not_contains "$output$stderr" "$secret" "no password when denied"
	run_cmd "$d" --pooler-admin "host=127.0.0.1 password='$secret"
	assert_eq 3 "$status" "usage error"
	assert_not_contains "$output$stderr" "$secret" "no password in the parse error"
}

test_pooler_console_that_never_answers_ends_by_its_deadline() {
	local d t0 ms
	d=$(pl_driver)
	t0=$(harness__now_us)
	run_cmd "$d" --target "host=127.0.0.1 port=$FAKE_SILENT_PORT user=postgres" --deadline 500
	ms=$((($(harness__now_us) - t0) / 1000))
	assert_json "$output" '.pooler.admin == "unreachable" and (.reason | test("did not answer within 500 ms"))' "unreachable, saying why (stderr: $stderr)"
	((ms < 2500)) || assert_eq "< 2500 ms" "$ms ms" "ends near its deadline"
	# Not a PgBouncer at all: no pooler.
	run_cmd "$d" --target "host=127.0.0.1 port=$PG_PORT user=app password=$APP_PASSWORD"
	assert_json "$output" '.pooler == null and (.reason | test("not PgBouncer"))' "PostgreSQL has no console"
}

# ---- pgpulse itself (phase 2): the scheduler reads the console, check reports it

pl_monitor_admin() {
	echo "host=127.0.0.1 port=$BOUNCER_PORT user=monitor"
}

test_pooler_check_queued_probe_is_max_clients_with_culprit() {
	require_pgpulse
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	# --query-timeout 2 ends the probe before PgBouncer's query_wait_timeout (3 s).
	run_cmd "$PGPULSE" check --json --query-timeout 2 --pooler-admin "$(pl_monitor_admin)" "$BOUNCER_APP_URL"
	assert_eq 2 "$status" "critical (stderr: $stderr)"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "pgbouncer_pool"' "a queued probe is max_clients / pgbouncer_pool"
	assert_json "$output" '.error.message | startswith("waiting for a server connection: PgBouncer'"'"'s pool appdb/app has 2 of 2 in use")' "the pooler's verdict"
	assert_json "$output" '.pooler.kind == "pgbouncer" and .pooler.admin == "ok" and ([.pooler.pools[] | select(.database == "appdb" and .user == "app")][0].cl_waiting >= 1)' "the console saw the probe waiting"
	assert_json "$output" '.incident.culprit.application_name == "busy" and .incident.culprit.source == "pgbouncer_admin" and .incident.culprit.count == 2 and .incident.culprit.of == 2' "the holding application is the culprit"
	assert_json "$output" '.incident.culprit.text | startswith("busy (127.0.0.1) holds 2 of 2 server connections of PgBouncer'"'"'s pool appdb/app")' "the culprit line"
	assert_json "$output" '.incident.ended_by == null and .incident.probes_failed == 1 and .incident.limit == "pgbouncer_pool"' "the incident is open"
}

test_pooler_check_queued_probe_without_console_says_most_likely() {
	require_pgpulse
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	run_cmd "$PGPULSE" check --json --query-timeout 2 --no-pooler-admin "$BOUNCER_APP_URL"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "pgbouncer_pool"' "max_clients without a console (stderr: $stderr)"
	assert_json "$output" '.error.message | test("most likely")' "says it most likely waited for a server connection"
	assert_json "$output" '.error.advice | test("pooler-admin|stats_users")' "and how to confirm"
	assert_json "$output" '.pooler == null and .incident.culprit == null and (.incident.culprit_advice | test("stats_users"))' "no view: how to get one"
	# The target's own credentials (app is not in stats_users): denied, then the same verdict.
	run_cmd "$PGPULSE" check --json --query-timeout 2 "$BOUNCER_APP_URL"
	assert_json "$output" '.error.limit == "pgbouncer_pool" and .pooler.admin == "denied"' "denied console, still the pooler's verdict (stderr: $stderr)"
	assert_contains "$stderr" "may not read PgBouncer's admin console: add it to stats_users" "check says once why the console is not readable"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_pooler_check_plain_postgres_has_no_pooler() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "$PG_APP_URL"
	assert_json "$output" '.status != "critical" and .pooler == null and .incident == null' "no pooler object for PostgreSQL (stderr: $stderr)"
	# A healthy PgBouncer target: check reads its console too.
	run_cmd "$PGPULSE" check --json --pooler-admin "$(pl_monitor_admin)" "$BOUNCER_APP_URL"
	assert_json "$output" '.error == null and .pooler.admin == "ok" and .pooler.max_client_conn == 6' "the pooler object (stderr: $stderr)"
	assert_json "$output" '.pooler | keys == ["admin","clients_in_use","kind","max_client_conn","pools","top_clients","version"]' "exactly DESIGN.md's keys"
}

test_pooler_admin_password_hidden_everywhere() {
	require_pgpulse
	local secret=Adm1n-S3cret-pw pid
	run_cmd "$PGPULSE" check --json --pooler-admin "postgresql://monitor:$secret@127.0.0.1:$BOUNCER_PORT/pgbouncer" "$BOUNCER_APP_URL"
	assert_json "$output" '.pooler.admin == "ok"' "reads with --pooler-admin (stderr: $stderr)"
	assert_not_contains "$output$stderr" "$secret" "no password in check's output"
	run_cmd "$PGPULSE" check --pooler-admin "host=db.example password=$secret" "$BOUNCER_APP_URL"
	assert_eq 3 "$status" "a host name is a usage error"
	assert_contains "$stderr" "--pooler-admin: give the host as an IP address" "says what to do"
	assert_contains "$output" "PGPULSE UNKNOWN - --pooler-admin:" "check answers UNKNOWN"
	assert_not_contains "$output$stderr" "$secret" "no password in the usage error"
	"$PGPULSE" watch --count 100 --pooler-admin "postgresql://monitor:$secret@127.0.0.1:$BOUNCER_PORT/pgbouncer" "$BOUNCER_APP_URL" >/dev/null 2>&1 &
	pid=$!
	assert_args_hide "$pid" "$secret"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

test_pooler_incident_end_is_a_range() {
	require_pgpulse
	local out
	out=$HARNESS_TMP/incident.jsonl
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	"$PGPULSE" watch --format jsonl --interval 0.5 --query-timeout 1 --pooler-admin "$(pl_monitor_admin)" "$BOUNCER_APP_URL" >"$out" 2>/dev/null &
	local pid=$!
	wait_until 20 grep -q '"limit":"pgbouncer_pool"' "$out" || assert_contains "$(cat "$out")" pgbouncer_pool "an incident starts"
	release_connections busy
	wait_until 30 grep -q '"incident":{' "$out" || assert_contains "$(cat "$out")" '"incident"' "the incident ends"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	assert_json "$(grep -m1 '"culprit":' "$out")" '.culprit.application_name == "busy"' "a failing record names the culprit"
	assert_json "$(grep -m1 '"incident":{' "$out")" '.ok and .incident.ended_after < .incident.ended_by and .incident.duration_s.min <= .incident.duration_s.max and .incident.probes_failed >= 1' "the end as a range"
}

test_pooler_prompt_errors_slots_pooler_clients() {
	require_pgpulse
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	run_cmd "$PGPULSE" shell --query-timeout 2 --pooler-admin "$(pl_monitor_admin)" \
		-c "check; errors; slots; pooler; pools; clients" "$BOUNCER_APP_URL"
	assert_contains "$output" "max_clients" "the queued probe is max_clients (stderr: $stderr)"
	assert_match "open for [0-9]+s: 1 probe failed, limit pgbouncer_pool" "$output" "errors lists the open incident"
	assert_match "culprit: busy \(127\.0\.0\.1\) holds 2 of 2 server connections of PgBouncer's pool appdb/app" "$output" "errors and slots name the holder"
	assert_match "culprit \(PgBouncer's console, [0-9]+ s ago\): busy" "$output" "slots on the failing target uses the console"
	assert_match "PgBouncer 1\.18\.0, session mode, clients [0-9]+/6 \(max_client_conn\), as of" "$output" "pooler's summary"
	assert_match "pool appdb/app  size 2  cl active 2  waiting [0-9]+  sv active 2 idle 0" "$output" "pooler's pool line"
	assert_match "holders  busy \(127\.0\.0\.1\)  2 clients, 2 with a server" "$output" "pooler's holders"
	assert_match "busy  127\.0\.0\.1:[0-9]+  active  [0-9.]+ s  -> server :[0-9]+ pid [0-9]+" "$output" "clients joined to their server and its pid"
	assert_not_contains "$output" "client-side pool" "the pooler's connections are not a client-side pool"
	# slots' own probe queued too: the console was read again while it waited.
	assert_not_contains "$output" "most likely" "every queued probe confirmed by the console"
}

test_pooler_prompt_without_pooler_says_why() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "check; pooler" "$PG_APP_URL"
	assert_eq 3 "$status" "pooler on PostgreSQL is a usage error (stdout: $output)"
	assert_contains "$output" "no PgBouncer seen here" "says why"
}

test_pooler_no_culprit_at_moderate_use() {
	require_pgpulse
	# 10 idle sessions of 17 usable slots, the probe the 11th: 65 %, below the 80 % warning.
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 10 api app
	run_cmd "$PGPULSE" check --json "$PG_APP_URL"
	assert_json "$output" '.status == "ok" and .slots.in_use >= 11 and .slots.culprit == null' "no culprit line at moderate use (stderr: $stderr)"
	# Past a lower warning threshold the same holders are named.
	run_cmd "$PGPULSE" check --json -w slots=60% "$PG_APP_URL"
	assert_json "$output" '.status == "warning" and (.slots.culprit | startswith("api holds 10 of 17 usable slots"))' "named above the threshold"
}

pl_metrics_have() {
	local m
	m=$(curl -sf --max-time 10 "http://127.0.0.1:$1/metrics") && grep -qE -- "$2" <<<"$m"
}

test_pooler_serve_metrics() {
	require_pgpulse
	local port pid m
	port=$(harness_free_port)
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	pl_queue_one
	"$PGPULSE" serve --listen "127.0.0.1:$port" --pooler-admin "$(pl_monitor_admin)" "bouncer=$BOUNCER_APP_URL" >/dev/null 2>&1 &
	pid=$!
	wait_until 20 pl_metrics_have "$port" '^pgpulse_pooler_clients_waiting\{target="bouncer"\} [1-9]' ||
		assert_eq "waiting >= 1" "$(curl -s "http://127.0.0.1:$port/metrics" | grep pooler)" "pooler metrics"
	m=$(curl -sf "http://127.0.0.1:$port/metrics")
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	assert_match 'pgpulse_pooler_max_client_conn\{target="bouncer"\} 6' "$m" "max_client_conn"
	assert_match 'pgpulse_pooler_clients_in_use\{target="bouncer"\} [3-6]' "$m" "clients in use"
	assert_match 'pgpulse_pooler_max_wait_seconds\{target="bouncer"\} [0-9.]+' "$m" "max wait"
	assert_not_contains "$m" "monitor" "no conninfo in the metrics"
}

pl_tui_has() {
	[[ $(tui_screen pooler) == *"$1"* ]]
}

pl_tui_exited() {
	[ -s "$PL_TUI_STATUS" ]
}

pl_tui_stop() {
	if tui_tmux has-session -t pooler 2>/dev/null && ! pl_tui_exited; then
		tui_tmux send-keys -t pooler -l q
		wait_until 5 pl_tui_exited || true
	fi
	tui_tmux kill-server 2>/dev/null || true
}

test_pooler_dashboard_panel_and_incident_banner() {
	require_pgpulse
	TUI_SOCKET=pgpulse-pooler-$$
	PL_TUI_STATUS=$PWD/pooler-tui.status
	local cmd screen s
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	cmd=$(tui_command "exec bash -c '\"\$@\"; echo \$? >\"\$0\"' $(printf '%q' "$PL_TUI_STATUS") env -u NO_COLOR" \
		LANG=C.UTF-8 TERM=xterm-256color "$PGPULSE" --interval 0.5 --query-timeout 1 \
		--pooler-admin "$(pl_monitor_admin)" "$BOUNCER_APP_URL")
	trap pl_tui_stop EXIT
	tui_new pooler "$cmd"
	tui_tmux resize-window -t pooler -x 200 -y 50
	for s in "MAX_CLIENTS INCIDENT" "culprit: busy (127.0.0.1) holds 2 of 2 server connections" "─ Pooler"; do
		wait_until 20 pl_tui_has "$s" || assert_contains "$(tui_screen pooler)" "$s" "the dashboard shows it"
	done
	screen=$(tui_screen pooler)
	assert_contains "$screen" "limit pgbouncer_pool" "the banner names the pool limit"
	assert_match "PgBouncer 1\.18\.0, session mode, clients [0-9]+/6 \(max_client_conn\)" "$screen" "the panel's summary"
	assert_match "pool appdb/app  size 2  cl active [0-9]+  waiting [0-9]+  sv active 2 idle 0" "$screen" "the pool line"
	assert_contains "$screen" "holders  busy (127.0.0.1)  2 clients, 2 with a server" "the holders"
	assert_not_contains "$screen" "raise --query-timeout" "no slow-server advice"
	# The pool frees: the incident ends, its end shown as a range.
	release_connections busy
	wait_until 30 pl_tui_has "ended between" || assert_contains "$(tui_screen pooler)" "ended between" "the last incident's end as a range"
	pl_tui_stop
	assert_eq 0 "$(cat "$PL_TUI_STATUS")" "q quits with 0"
}

test_pooler_query_wait_timeout_gets_the_culprit_and_the_value() {
	require_pgpulse
	HOLD_DB=appdb hold_connections 2 busy app "$BOUNCER_PORT"
	# --query-timeout 5 outlasts PgBouncer's query_wait_timeout (3 s): PgBouncer ends the wait.
	run_cmd "$PGPULSE" check --json --query-timeout 5 --pooler-admin "$(pl_monitor_admin)" "$BOUNCER_APP_URL"
	assert_json "$output" '.error.class == "max_clients" and .error.limit == "pgbouncer_pool" and (.error.message | test("query_wait_timeout"))' "PgBouncer's own verdict (stderr: $stderr)"
	assert_json "$output" '.error.advice | endswith("(query_wait_timeout = 3 s)")' "the advice gives the pooler's value"
	assert_json "$output" '.incident.culprit.application_name == "busy"' "the same culprit"
}

test_pooler_clients_joined_to_backends_through_a_sibling() {
	require_pgpulse
	local want
	# One of the pool's two server connections busy: the prompt's checks get the other.
	HOLD_DB=appdb hold_connections 1 busy app "$BOUNCER_PORT"
	want=$(pg_admin "SELECT string_agg(pid::text, ' ' ORDER BY pid) FROM pg_stat_activity WHERE application_name = 'busy'")
	# Once the bouncer target is known to be a PgBouncer, the direct target's
	# inspection reads pg_stat_activity's backends too.
	run_cmd "$PGPULSE" shell --pooler-admin "$(pl_monitor_admin)" \
		-c "check bouncer; check direct; target use bouncer; clients; pooler" "direct=$PG_APP_URL" \
		"bouncer=postgresql://app:$APP_PASSWORD@127.0.0.1:$BOUNCER_PORT/appdb"
	assert_match "busy  127\.0\.0\.1:[0-9]+  active  [0-9.]+ s  -> server :[0-9]+ pid [0-9]+  -> backend active, xact [0-9.]+ s" "$output" "a client joined to its backend's state (stderr: $stderr)"
	local pid
	for pid in $want; do
		assert_contains "$output" "pid $pid  -> backend active" "backend $pid named"
	done
	assert_contains "$output" "holders  busy (127.0.0.1)  1 client, 1 with a server" "holders"
}

# ---------------------------------------------------------------- Supavisor

# A fake Supavisor refusing with its pool size, next to the real server.
pl_supavisor_url() {
	local port
	port=$(fake_server_start supavisor error --sqlstate XX000 \
		--message "MaxClientsInSessionMode: max clients reached - in Session mode max clients are limited to pool_size: $1") || return 1
	echo "postgresql://app:$APP_PASSWORD@127.0.0.1:$port/appdb"
}

test_pooler_supavisor_connections_against_its_pool_size() {
	require_pgpulse
	local supa
	supa=$(pl_supavisor_url 3) || return 1
	# Supavisor's server connections as the server sees them: three idle ones of user app.
	HOLD_QUERY='' HOLD_DB=appdb hold_connections 3 Supavisor app
	wait_until 10 pl_idle_app_sessions Supavisor 3 || assert_eq 3 "$(pl_idle_app_sessions_count Supavisor)" "three Supavisor sessions visible"
	run_cmd "$PGPULSE" check --json "direct=$PG_APP_URL" "supa=$supa"
	assert_json "$(echo "$output" | sed -n 1p)" '.name == "direct" and .slots.supavisor == [{"user": "app", "server_connections": 3, "pool_size": 3, "pool_size_from": "supa", "session": true}]' "check --json counts them against the pool size (stderr: $stderr)"
	assert_json "$(echo "$output" | sed -n 2p)" '.error.limit == "supavisor_session_pool"' "the fake Supavisor's refusal"
	assert_not_contains "$output" "client-side pool" "Supavisor's connections are never a client-side pool"
	# Without the Supavisor target the pool size is unknown, and said so.
	run_cmd "$PGPULSE" check --json "direct=$PG_APP_URL"
	assert_json "$output" '.slots.supavisor == [{"user": "app", "server_connections": 3, "pool_size": null, "pool_size_from": null, "session": null}]' "pool size unknown without a refusal"
	# The prompt's slots: the refusal seen on supa, then the direct target's slots.
	run_cmd "$PGPULSE" shell -c "check supa; target use direct; slots" "direct=$PG_APP_URL" "supa=$supa"
	assert_contains "$output" "Supavisor holds 3 server connections for user app, of its pool_size 3 (from supa's refusal): the pool is full" "slots names them against the pool size (stderr: $stderr)"
	assert_not_contains "$output" "client-side pool" "never a client-side pool at the prompt"
	run_cmd "$PGPULSE" shell -c "slots" "$PG_APP_URL"
	assert_contains "$output" "Supavisor holds 3 server connections for user app, its pool size unknown (no Supavisor refusal seen)" "slots without a refusal"
	# The dashboard's Slots panel of the direct target (the table's first row, opened).
	# shellcheck disable=SC2034 # read by tmux.sh
	TUI_SOCKET=pgpulse-supavisor-$$
	PL_TUI_STATUS=$PWD/supavisor-tui.status
	local cmd s
	cmd=$(tui_command "exec bash -c '\"\$@\"; echo \$? >\"\$0\"' $(printf '%q' "$PL_TUI_STATUS") env -u NO_COLOR" \
		LANG=C.UTF-8 TERM=xterm-256color "$PGPULSE" --interval 0.5 --inspect-every 1 \
		"direct=$PG_APP_URL" "supa=$supa")
	trap pl_tui_stop EXIT
	tui_new pooler "$cmd"
	tui_tmux resize-window -t pooler -x 200 -y 50
	wait_until 20 pl_tui_has "supa " || assert_contains "$(tui_screen pooler)" "supa" "the table"
	tui_tmux send-keys -t pooler Enter
	s="Supavisor holds 3 server connections for user app, of its pool_size 3 (from supa's refusal): the pool is full"
	wait_until 20 pl_tui_has "$s" || assert_contains "$(tui_screen pooler)" "$s" "the Slots panel counts them against the pool size"
	assert_not_contains "$(tui_screen pooler)" "client-side pool" "never a client-side pool in the dashboard"
	pl_tui_stop
	release_connections Supavisor
}

pl_idle_app_sessions_count() {
	pg_admin "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND usename = 'app'"
}

pl_idle_app_sessions() {
	[ "$(pl_idle_app_sessions_count "$1")" = "$2" ]
}

# ---------------------------------------------------------------- slots' oldest behind PgBouncer

# warm's backend is idle (its query done) and at least $1 s old.
pl_warm_backend_idle_and_older_than() {
	local n
	n=$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'warm' AND state = 'idle' AND backend_start < now() - interval '$1 seconds'")
	((${n:-0} >= 1))
}

test_pooler_slots_oldest_is_the_clients_age() {
	require_pgpulse
	# A server connection that outlives its first client: warm it, wait till it is 4 s old, let go.
	# (its query ends first: a client gone mid-query costs PgBouncer the server connection)
	HOLD_QUERY='SELECT pg_sleep(4.5)' HOLD_DB=appdb hold_connections 1 warm app "$BOUNCER_PORT"
	wait_until 15 pl_warm_backend_idle_and_older_than 4 || assert_eq old "young" "the warm server connection ages"
	release_connections warm
	wait_until 10 pl_pool_servers_idle 1 || assert_eq 1 "not idle" "PgBouncer keeps the server connection idle"
	# api takes that old server connection: a young client on an old backend.
	HOLD_DB=appdb hold_connections 1 api app "$BOUNCER_PORT"
	run_cmd "$PGPULSE" shell --pooler-admin "$(pl_monitor_admin)" -c "check; slots" "$BOUNCER_APP_URL"
	local line client server
	line=$(grep '^oldest' <<<"$output")
	assert_match "^oldest +[0-9]+ s \(api\).*: PgBouncer's clients \(connect_time\); its server connections up to [0-9]+ s$" "$line" "slots' oldest comes from the pooler's clients (output: $output, stderr: $stderr)"
	client=$(sed -E 's/^oldest +([0-9]+) s \(api\).*/\1/' <<<"$line")
	server=$(sed -E 's/.*up to ([0-9]+) s$/\1/' <<<"$line")
	assert_eq 1 "$((client < 4 && server >= 4))" "api's session is young ($client s), the server connection old ($server s)"
	release_connections api
}
