# shellcheck shell=bash
#
# t_watch.sh: `pgpulse watch`, one record per probe, and the dashboard's
# fallback to it without a terminal.

test_watch_jsonl_records_and_summary() {
	require_pgpulse
	run_cmd "$PGPULSE" watch --format jsonl --count 3 --interval 0.1 \
		"postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb?sslmode=require"
	assert_eq 0 "$status" "all ok"
	assert_eq 3 "$(printf '%s\n' "$output" | wc -l)" "three records"
	local i=0 line
	while IFS= read -r line; do
		i=$((i + 1))
		assert_json "$line" ".seq == $i and .ok == true and .error == null" "record $i"
		assert_json "$line" '.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' "RFC 3339 UTC with ms"
		assert_json "$line" '.backend_pid > 0 and .phases_ms.tls > 0 and .phases_ms.total > 0' "timed, with a backend"
		assert_json "$line" '.target | contains("app:***@")' "masked target"
		assert_json "$line" '(.late_ms | type) == "number" and .late_ms >= 0' "how late it started"
	done <<<"$output"
	assert_contains "$stderr" "3 probes, 3 ok, 0 failed" "summary on stderr"
	assert_match 'total +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+' "$stderr" "percentiles of total"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_watch_pids_differ_nothing_is_pooled() {
	require_pgpulse
	run_cmd "$PGPULSE" watch --format jsonl --count 4 --interval 0.05 "host=127.0.0.1 port=$PG_PORT user=postgres"
	assert_eq 4 "$(printf '%s\n' "$output" | jq -s 'map(.backend_pid) | unique | length')" "a fresh backend for every probe"
}

test_watch_csv() {
	require_pgpulse
	run_cmd "$PGPULSE" watch --format csv --count 2 --interval 0.1 "host=127.0.0.1 port=$REFUSED_PORT user=app"
	assert_eq 2 "$status" "every probe failed"
	assert_eq "ts,target,seq,ok,dns_ms,tcp_ms,tls_ms,auth_ms,query_ms,close_ms,total_ms,class,sqlstate,backend_pid,message" \
		"$(printf '%s\n' "$output" | head -1)" "header"
	assert_eq 3 "$(printf '%s\n' "$output" | wc -l)" "header and two rows"
	assert_match ',2,false,0\.000,,,,,,[0-9.]+,refused,,,"connection to server at ' "$(printf '%s\n' "$output" | tail -1)" "a refused row"
}

test_watch_text_mixed_targets_and_exit_status() {
	require_pgpulse
	run_cmd "$PGPULSE" watch --count 2 --interval 0.1 "host=127.0.0.1 port=$PG_PORT user=postgres" \
		"host=127.0.0.1 port=$FAKE_SESSION_PORT user=app"
	assert_eq 1 "$status" "some failed"
	assert_match "seq=1 ok total=" "$output" "ok line"
	assert_match "seq=1 FAIL max_clients \(XX000\) limit=supavisor_session_pool in auth after .*: MaxClientsInSessionMode.* \[backing off: next probe in 0\.2 s\]" "$output" "failure line with limit and back-off"
	assert_contains "$output" "failures: max_clients=2" "failures by class in the summary"
	assert_contains "$output" "2 probes, 2 ok, 0 failed" "the healthy target's summary"
}

test_watch_stops_on_sigint_with_summary() {
	require_pgpulse
	local out=$PWD/watch.out err=$PWD/watch.err pid
	"$PGPULSE" watch --interval 0.1 "host=127.0.0.1 port=$PG_PORT user=postgres" >"$out" 2>"$err" &
	pid=$!
	wait_until 15 grep -q "seq=3 ok" "$out"
	kill -INT "$pid"
	wait_until 10 bash -c "! kill -0 $pid 2>/dev/null"
	local rc=0
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "every probe answered: exit 0 after Ctrl-C"
	assert_contains "$(cat "$out")" "pgpulse statistics" "summary after Ctrl-C"
	assert_match "[0-9]+ probes, [0-9]+ ok" "$(cat "$out")" "counts"
}

test_dashboard_without_terminal_falls_back_to_watch() {
	require_pgpulse
	local out=$PWD/dash.out pid
	"$PGPULSE" -i 0.1 "host=127.0.0.1 port=$PG_PORT user=postgres" >"$out" 2>&1 </dev/null &
	pid=$!
	wait_until 15 grep -q "seq=2 ok" "$out"
	kill -TERM "$pid"
	wait_until 10 bash -c "! kill -0 $pid 2>/dev/null"
	wait "$pid" || true
	assert_contains "$(cat "$out")" "pgpulse statistics" "ends with a summary"
}

test_watch_stops_when_nobody_reads() {
	require_pgpulse
	local before after
	before=$(cat "$FAKE_SESSION_COUNTFILE")
	# head exits after one line; a watch that kept going would reach 50 attempts.
	timeout 60 "$PGPULSE" watch --no-backoff --interval 0.05 --count 50 --format jsonl \
		"host=127.0.0.1 port=$FAKE_SESSION_PORT user=app" 2>/dev/null | head -1 >/dev/null || true
	after=$(cat "$FAKE_SESSION_COUNTFILE")
	assert_match '^[1-3]$' "$((after - before))" "stopped probing once the pipe closed"
}
