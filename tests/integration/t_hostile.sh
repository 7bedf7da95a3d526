# shellcheck shell=bash
#
# t_hostile.sh: pgpulse pointed at servers that misbehave and at hostile
# text. Whatever the server sends, pgpulse ends by its deadline, classifies
# sensibly, keeps JSON records whole, prints nothing a terminal would act on
# (no ESC or other control character), and leaves no query running.

# shellcheck source=tmux.sh
. "${BASH_SOURCE[0]%/*}/tmux.sh"

hostile_uri() {
	echo "postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb${1:+?$1}"
}

# hostile_assert_terminal_safe TEXT WHAT: no control character but newline.
hostile_assert_terminal_safe() {
	if printf '%s' "$1" | LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]'; then
		assert_eq "no control characters" "$(printf '%s' "$1" | od -c | head -5)" "$2"
	fi
}

# Item 1: a message cut at 511 bytes inside "é" no longer loses the record.
test_hostile_json_survives_cut_multibyte_message() {
	require_pgpulse
	local e
	e=$(printf 'é%.0s' $(seq 300))
	run_cmd "$PGPULSE" check --json --query "select '$e'::int" "$(hostile_uri)"
	assert_eq 2 "$status" "a failing query is critical (stderr: $stderr)"
	assert_json "$output" '.status == "critical" and .error.class == "query_error"' "the record is there"
	assert_json "$output" '.error.message | startswith("invalid input syntax")' "the message is kept"

	run_cmd "$PGPULSE" watch --format jsonl --count 2 --interval 0.05 --query "select '$e'::int" "$(hostile_uri)"
	assert_eq 2 "$(printf '%s\n' "$output" | jq -c . | wc -l)" "watch keeps every record"
}

# Item 2: an escape sequence in a server message is shown, not obeyed.
test_hostile_escape_sequences_shown_visibly() {
	require_pgpulse
	run_cmd "$PGPULSE" check --query "select 1/0 from (select E'\\033[2J\\033]0;pwned\\007') s where false union all select (E'x\\033[2J')::int" "$(hostile_uri)"
	assert_eq 2 "$status" "the query fails"
	hostile_assert_terminal_safe "$output" "check's Nagios line"
	assert_contains "$output" '\x1B[2J' "ESC shown as \\x1B"

	run_cmd "$PGPULSE" watch --count 1 --query "select (E'x\\033[2J')::int" "$(hostile_uri)"
	hostile_assert_terminal_safe "$output" "watch's text line"
	run_cmd "$PGPULSE" watch --format csv --count 1 --query "select (E'x\\033[2J')::int" "$(hostile_uri)"
	hostile_assert_terminal_safe "$output" "watch's csv line"
	run_cmd "$PGPULSE" check --json --query "select (E'x\\033[2J')::int" "$(hostile_uri)"
	assert_json "$output" '.error.message | contains("x\u001b[2J")' "JSON keeps the text exact"
}

# Item 3: a NOTICE never reaches stderr raw.
test_hostile_notice_not_on_stderr() {
	require_pgpulse
	run_cmd "$PGPULSE" check --query "do \$\$ begin raise notice E'x\\033[2J'; end \$\$" "$(hostile_uri)"
	assert_eq 0 "$status" "the check passes (stderr: $stderr)"
	assert_not_contains "$stderr" "NOTICE" "no NOTICE on stderr"
	hostile_assert_terminal_safe "$stderr" "stderr"
}

hostile_no_sleepers() {
	[ "$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'select pg_sleep(30)%'")" = 0 ]
}

# Item 4: the query past its deadline is cancelled on the server, which
# runs with client_connection_check_interval = 0 (the default).
test_hostile_query_deadline_cancels_on_server() {
	require_pgpulse
	assert_eq 0 "$(pg_admin "SHOW client_connection_check_interval")" "the server runs the default"
	local began=$SECONDS
	run_cmd "$PGPULSE" watch --count 4 --interval 0.1 --query-timeout 0.5 \
		--query "select pg_sleep(30)" "$(hostile_uri)"
	assert_match 'FAIL timeout' "$output" "each probe times out"
	(( SECONDS - began < 10 )) || assert_eq "under 10 s" "$((SECONDS - began)) s" "deadlines hold"
	# no pg_sleep of ours outlives its probe by more than a moment
	wait_until 2 hostile_no_sleepers ||
		assert_eq 0 "$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'select pg_sleep(30)%'")" "pg_sleep backends left running"
}

# Item 9: a two-character password is blanked in /proc/PID/cmdline too.
test_hostile_short_password_blanked_in_argv() {
	require_pgpulse
	local out=$HARNESS_TMP/run/hostile-argv.out pid
	"$PGPULSE" watch --interval 1 --count 30 --pooler-admin "user=pgb password=k" \
		"host=127.0.0.1 port=$PG_PORT user=app dbname=appdb password=zq" >"$out" 2>&1 &
	pid=$!
	wait_until 10 grep -q 'password=\*\*' "/proc/$pid/cmdline"
	assert_not_contains "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "password=zq" "ps shows no two-character password"
	assert_not_contains "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "password=k" "nor --pooler-admin's one-character one"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

# hostile_backend_active APPNAME: a backend of that name runs a query.
hostile_backend_active() {
	[ -n "$(pg_admin "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND state = 'active'")" ]
}

# hostile_kill_backend_mid_query SSLMODE: kill -9 of the probe's backend
# during its query; prints pgpulse's JSON. The server restarts its backends
# (crash recovery); the test waits until it answers again.
hostile_kill_backend_mid_query() {
	local out=$HARNESS_TMP/run/hostile-kill.json pid backend=
	"$PGPULSE" check --json --query-timeout 20 --query "select pg_sleep(15)" \
		"$(hostile_uri "sslmode=$1&application_name=hostile-kill")" >"$out" 2>&1 &
	pid=$!
	wait_until 10 hostile_backend_active hostile-kill
	backend=$(pg_admin "SELECT pid FROM pg_stat_activity WHERE application_name = 'hostile-kill' AND state = 'active'")
	[ -n "$backend" ] && harness__as_server kill -9 "$backend"
	wait "$pid" 2>/dev/null || true
	wait_until 30 pg_admin "SELECT 1" >/dev/null 2>&1
	cat "$out"
}

# Item 7: a killed backend is the server ending the connection, TLS or not.
test_hostile_killed_backend_is_server_side() {
	require_pgpulse
	local j mode
	for mode in disable require; do
		j=$(hostile_kill_backend_mid_query "$mode")
		assert_json "$j" '.status == "critical" and .error.phase == "query"' "sslmode=$mode: fails in the query ($j)"
		assert_json "$j" '.error.class == "server_shutdown"' "sslmode=$mode: the server ended it ($j)"
		assert_json "$j" '.error.advice | contains("crashed") and contains("pg_terminate_backend")' "sslmode=$mode: the advice names the causes"
	done
}

# ------------------------------------------------- misbehaving fake servers

# hostile_fake MODE SSLMODE [pgpulse check options...]: a fake server in
# MODE, then `check --json` and the Nagios line against it, with a 3 s
# deadline for connect and query. Sets $j (JSON), $line (text), $elapsed_ms,
# $rss_kb (peak, ASan's quarantine kept small so it measures pgpulse), and
# fails the test on a sanitizer report, on a run past its deadline, or on a
# control character in the text line.
hostile_fake() {
	local mode=$1 sslmode=$2 port began rssfile=$HARNESS_TMP/run/hostile.rss
	shift 2
	port=$(fake_server_start "hostile-$mode-$sslmode" "$mode") || return 1
	local target="host=127.0.0.1 port=$port user=u dbname=d sslmode=$sslmode"
	began=$(harness__now_us)
	run_cmd env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4" \
		/usr/bin/time -f '%M' -o "$rssfile" \
		"$PGPULSE" check --json -t 3 --query-timeout 3 "$@" "$target"
	elapsed_ms=$(( ($(harness__now_us) - began) / 1000 ))
	j=$output
	rss_kb=$(tail -1 "$rssfile")
	assert_not_contains "$stderr" "Sanitizer" "$mode: no sanitizer report"
	assert_not_contains "$stderr" "runtime error" "$mode: no UBSan report"
	assert_json "$j" '.status' "$mode: a JSON record ($stderr)"
	(( elapsed_ms < 5000 )) || assert_eq "under 5000 ms" "$elapsed_ms ms" "$mode: ends by its deadline"
	run_cmd "$PGPULSE" check -t 3 --query-timeout 3 "$@" "$target"
	line=$output
	hostile_assert_terminal_safe "$line$stderr" "$mode: check's line"
	# one status line; after it only the plugin's long output (advice, detail, hint)
	assert_match '^PGPULSE [A-Z]+ - ' "$(printf '%s\n' "$line" | head -n 1)" "$mode: the status line"
	assert_eq 0 "$(printf '%s\n' "$line" | tail -n +2 | { grep -cvE '^(advice|detail|hint): ' || true; })" \
		"$mode: no line of server text breaks out of the long output"
}

# hostile_expect_class CLASS...: the error class is one of these.
hostile_expect_class() {
	local want
	want=$(printf '"%s",' "$@")
	assert_json "$j" ".error.class as \$c | [${want%,}] | index(\$c) != null" "class is one of: $*"
}

test_hostile_fake_random_bytes_after_accept() {
	require_pgpulse
	hostile_fake garbage disable || return
	hostile_expect_class protocol
	hostile_fake garbage prefer || return
	# garbage where the answer to SSLRequest belongs reads as a TLS failure
	hostile_expect_class protocol tls
}

test_hostile_fake_huge_error_response() {
	require_pgpulse
	hostile_fake error-huge disable || return
	hostile_expect_class protocol
	(( rss_kb < 100000 )) || assert_eq "under 100 MB" "$rss_kb KB" "memory bounded"
	assert_json "$j" '.error.message | length < 1000' "the message is bounded"
}

test_hostile_fake_error_without_message() {
	require_pgpulse
	hostile_fake error-nomessage disable || return
	hostile_expect_class protocol
	assert_json "$j" '.error.message == "(the server sent no message)"' "says there was none"
}

test_hostile_fake_invalid_utf8_and_escapes() {
	require_pgpulse
	hostile_fake error-hostile disable || return
	hostile_expect_class other protocol
	assert_json "$j" '.error.message | contains("\u001b[2J") and contains("\ufffd")' "JSON exact, invalid bytes replaced"
	assert_contains "$line" '\x1B[2J' "the line shows ESC visibly"
}

test_hostile_fake_length_0x7fffffff() {
	require_pgpulse
	hostile_fake length-huge disable || return
	hostile_expect_class protocol
	(( rss_kb < 100000 )) || assert_eq "under 100 MB" "$rss_kb KB" "no 2 GB allocation"
}

test_hostile_fake_answer_dripped() {
	require_pgpulse
	hostile_fake drip disable || return
	hostile_expect_class timeout
	assert_json "$j" '.error.phase == "auth"' "the deadline hit during startup"
	(( elapsed_ms >= 2900 )) || assert_eq ">= 2900 ms" "$elapsed_ms ms" "the deadline, not earlier"
}

test_hostile_fake_close_mid_message() {
	require_pgpulse
	hostile_fake close-mid disable || return
	hostile_expect_class protocol
}

test_hostile_fake_ssl_then_garbage() {
	require_pgpulse
	hostile_fake ssl-garbage require || return
	hostile_expect_class tls protocol
}

test_hostile_fake_10kb_server_version() {
	require_pgpulse
	hostile_fake big-version disable || return
	assert_json "$j" '.status == "ok" and .server.version == "15.18"' "version cut to its number"
	assert_match 'PostgreSQL 15\.18, no TLS' "$line" "the line shows the short version"
}

test_hostile_fake_wide_row_and_big_value() {
	require_pgpulse
	hostile_fake wide-row disable || return
	assert_json "$j" '.status == "ok"' "1,000 columns are an answer"
	hostile_fake big-value disable || return
	assert_json "$j" '.status == "ok"' "a 10 MB value is an answer"
	(( rss_kb < 150000 )) || assert_eq "under 150 MB" "$rss_kb KB" "memory bounded"
}

test_hostile_fake_notice_flood() {
	require_pgpulse
	hostile_fake notice-flood disable || return
	assert_json "$j" '.status == "ok"' "notices do not fail the check"
	assert_not_contains "$stderr" "flood" "no notice on stderr"
	(( rss_kb < 100000 )) || assert_eq "under 100 MB" "$rss_kb KB" "memory bounded"
}

test_hostile_fake_introspection_counts_past_2_31() {
	require_pgpulse
	hostile_fake inspect-huge disable || return
	assert_json "$j" '.status == "ok" or .status == "warning" or .status == "critical"' "checked"
	assert_json "$j" '.slots == null or ([.slots.in_use, .slots.max_connections, .slots.idle_in_transaction] | all(. >= 0 and . < 2147483648))' "counts in range"
	assert_json "$j" '.slots == null or ([.slots.top_holders[].oldest_s] | all(. >= 0))' "no NaN or negative duration"
}

# ------------------------------------------------- faults on the real server

hostile_ok_after_failure() {
	jq -s -e 'map(.ok) | (index(false) // -1) as $f | $f >= 0 and (.[$f:] | index(true) != null)' "$1" >/dev/null 2>&1
}

hostile_has_failure() {
	jq -s -e 'map(.ok) | index(false) != null' "$1" >/dev/null 2>&1
}

hostile_ok_count_at_least() {
	[ "$(jq -s 'map(select(.ok)) | length' "$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

# The server stopped with -m immediate under a running watch and started
# again: watch reports the outage and then UP again, by itself.
test_hostile_watch_recovers_after_immediate_stop() {
	require_pgpulse
	local out=$HARNESS_TMP/run/hostile-watch.jsonl err=$HARNESS_TMP/run/hostile-watch.err pid
	"$PGPULSE" watch --format jsonl --interval 0.2 -t 2 "$(hostile_uri sslmode=require)" >"$out" 2>"$err" &
	pid=$!
	wait_until 10 hostile_ok_count_at_least "$out" 2 || assert_eq "2 ok records" "$(cat "$out")" "watch runs"
	harness_pg_stop immediate
	wait_until 10 hostile_has_failure "$out" || assert_eq "a failure" "$(tail -3 "$out")" "the outage is reported"
	harness_pg_start
	wait_until 15 hostile_ok_after_failure "$out" || assert_eq "ok after the failure" "$(tail -5 "$out")" "watch recovers, reports UP"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	assert_json "$(jq -s -c 'map(select(.ok == false)) | .[0]' "$out")" \
		'.error.class as $c | ["refused", "server_shutdown", "server_starting", "protocol", "timeout"] | index($c) != null' \
		"the outage is classified as the server going away"
	assert_not_contains "$(cat "$err")" "Sanitizer" "no sanitizer report"
}

# Item 2 in the front-ends: the prompt shows a server's escape sequences
# visibly in check's report and in errors, never sends them.
test_hostile_prompt_shows_server_text_visibly() {
	require_pgpulse
	local port target
	port=$(fake_server_start hostile-prompt error-hostile) || return
	target="host=127.0.0.1 port=$port user=u dbname=d sslmode=disable"
	run_cmd "$PGPULSE" shell -c "check" "$target"
	hostile_assert_terminal_safe "$output$stderr" "check in the prompt"
	assert_contains "$output" 'escapes \x1B[2J\x1B]0;pwned\x07' "check shows the escapes visibly"
	assert_contains "$output" 'bad \xC3( utf8 \xFF\xFE' "and the invalid bytes"
	run_cmd "$PGPULSE" shell -c "check; errors" "$target"
	hostile_assert_terminal_safe "$output$stderr" "errors in the prompt"
	assert_contains "$(printf '%s\n' "$output" | sed -n '/recent failures/,$p')" '\x1B[2J\x1B]0;pwned\x07' \
		"errors shows the event's detail visibly"
	# burst's report, in the prompt and on its own
	run_cmd "$PGPULSE" shell -c "burst 2 yes" "$target"
	hostile_assert_terminal_safe "$output$stderr" "burst in the prompt"
	assert_contains "$output" '\x1B[2J' "burst shows the escapes visibly"
	run_cmd "$PGPULSE" burst -n 2 --hold 0 --yes "$target"
	hostile_assert_terminal_safe "$output$stderr" "pgpulse burst"
	# a target string with a control character: shown, never sent
	run_cmd "$PGPULSE" shell -c "targets" "host=127.0.0.1 port=$port user=u dbname=d application_name=$(printf 'a\033[2Jb')"
	hostile_assert_terminal_safe "$output$stderr" "targets"
}

# Item 2 in the dashboard: the same error on screen, in tmux. No raw escape
# of the server's reaches the pane (its OSC would set the title to
# "pwned"); the visible form is on the screen.
test_hostile_dashboard_shows_server_text_visibly() {
	require_pgpulse
	command -v tmux >/dev/null || { echo "SKIP: no tmux"; return 0; }
	TUI_SOCKET=pgpulse-hostile-$$
	local port raw=$PWD/pane.raw cmd
	port=$(fake_server_start hostile-dash error-hostile) || return
	cmd=$(tui_command "exec env LANG=C.UTF-8 TERM=xterm-256color" "$PGPULSE" --interval 0.5 \
		"host=127.0.0.1 port=$port user=u dbname=d sslmode=disable")
	trap 'tui_tmux kill-server 2>/dev/null || true' EXIT
	tui_new dash "$cmd"
	tui_tmux pipe-pane -o -t dash "cat >>$(printf '%q' "$raw")"
	hostile_dash_shows() { [[ $(tui_screen dash) == *'\x1B[2J'* ]]; }
	wait_until 15 hostile_dash_shows || assert_contains "$(tui_screen dash)" '\x1B[2J' "the screen shows ESC visibly"
	assert_ne pwned "$(tui_tmux display-message -p -t dash '#{pane_title}')" "the OSC did not set the title"
	tui_tmux send-keys -t dash -l q
	wait_until 5 test -z "$(tui_tmux list-panes -t dash 2>/dev/null)" || true
	if LC_ALL=C grep -q $'\033]0;pwned' "$raw"; then
		assert_eq "no raw OSC" "$(LC_ALL=C grep -c $'\033]0;pwned' "$raw") raw OSCs" "nothing raw reached the pane"
	fi
	assert_contains "$(LC_ALL=C tr -d '\000' <"$raw")" ']0;pwned' "the pane got the text, shown"
	tui_tmux kill-server 2>/dev/null || true
}

# Item 11: 200 targets on the harness's server (max_connections 20): their
# starts are spread over the interval and at most a few probes run to one
# server at once, so pgpulse causes no max_clients refusal of its own.
test_hostile_many_targets_cause_no_max_clients() {
	require_pgpulse
	local targets=() i out=$PWD/many.jsonl
	for i in $(seq 200); do
		targets+=("postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb?sslmode=disable&application_name=many$i")
	done
	run_cmd "$PGPULSE" watch --format jsonl --count 2 --interval 1 --inspect-every -1 "${targets[@]}"
	printf '%s\n' "$output" >"$out"
	assert_eq 400 "$(jq -s 'length' "$out")" "every probe reported (stderr: ${stderr:0:300})"
	assert_eq 0 "$(jq -s 'map(select(.error.class == "max_clients")) | length' "$out")" \
		"no max_clients of our own: $(jq -c -s 'map(select(.ok | not) | .error.message) | unique' "$out" | head -c 300)"
	assert_eq 400 "$(jq -s 'map(select(.ok)) | length' "$out")" "every probe succeeds"
}

# Item 11: 2,000 targets on one fake server, `watch --count 1`: all finish,
# none past its deadline (queued probes do not eat theirs), memory bounded.
# The deadline is short (0.5 s): 2,000 probes started at once took up to
# 0.9 s each here; a few at a time, each takes milliseconds.
test_hostile_two_thousand_targets_finish_within_deadlines() {
	require_pgpulse
	local port targets=() i out=$PWD/two-thousand.jsonl rssfile=$PWD/two-thousand.rss
	port=$(fake_server_start hostile-many error) || return
	for i in $(seq 2000); do
		targets+=("host=127.0.0.1 port=$port user=u dbname=d$i sslmode=disable")
	done
	env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4" \
		/usr/bin/time -f '%M' -o "$rssfile" \
		"$PGPULSE" watch --format jsonl --count 1 -t 0.5 "${targets[@]}" >"$out" 2>"$PWD/err" || true
	assert_not_contains "$(cat "$PWD/err")" "Sanitizer" "no sanitizer report"
	assert_eq 2000 "$(jq -s 'length' "$out")" "every target reported"
	assert_eq 2000 "$(jq -s 'map(select(.error.class == "max_clients")) | length' "$out")" \
		"each got the server's answer, none a timeout"
	assert_eq 0 "$(jq -s 'map(select(.phases_ms.total > 500)) | length' "$out")" "none past its 0.5 s deadline"
	local rss_kb
	rss_kb=$(tail -1 "$rssfile")
	# a target takes a few tens of KB (memory as it fills), probes in flight are few:
	# (~135 MB under ASan here; before, a target took ~290 KB)
	(( rss_kb < 400000 )) || assert_eq "under 400 MB" "$rss_kb KB" "memory bounded"
	echo "2000 targets: max RSS $rss_kb KB"
}
