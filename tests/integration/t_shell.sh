# shellcheck shell=bash
# shellcheck disable=SC2154 # status, output and stderr come from run_cmd
#
# t_shell.sh: the prompt. Scripted runs (-c and a pipe) against the
# harness's real servers pin down what each command prints and the exit
# status; a private tmux server drives the interactive prompt: completion,
# history, Ctrl-C, Ctrl-R.

shell_app_uri() {
	echo "postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb${1:+?$1}"
}

# ---------------------------------------------------------------- tmux

# shell_tmux_run ARGS...: runs "pgpulse ARGS" in a private tmux server
# (120x40, xterm-256color, XDG_STATE_HOME in the test's directory). When
# pgpulse ends, the pane shows "pgpulse exited N".
shell_tmux_run() {
	SHELL_TMUX=pgpulse-shell-$$-$RANDOM
	SHELL_STATE=$PWD/state
	mkdir -p "$SHELL_STATE"
	local cmd
	cmd=$(printf '%q ' env TERM=xterm-256color XDG_STATE_HOME="$SHELL_STATE" HOME="$PWD" \
		"$PGPULSE" "$@")
	trap 'shell_tmux_stop' EXIT TERM
	tmux -L "$SHELL_TMUX" -f /dev/null new-session -d -x 120 -y 40 \
		"$cmd; echo \"pgpulse exited \$?\"; sleep 600"
}

# shell_tmux_start ARGS...: "pgpulse shell ARGS", until its first prompt.
shell_tmux_start() {
	shell_tmux_run shell "$@"
	wait_until 10 shell_tmux_at_prompt || assert_eq "a prompt" "$(shell_tmux_screen)" "pgpulse shell starts"
}

shell_tmux_stop() {
	tmux -L "$SHELL_TMUX" kill-server 2>/dev/null || true
}

shell_tmux_keys() {
	tmux -L "$SHELL_TMUX" send-keys "$@"
}

shell_tmux_screen() {
	tmux -L "$SHELL_TMUX" capture-pane -p -J -S -300
}

shell_tmux_has() {
	[[ $(shell_tmux_screen) == *"$1"* ]]
}

# The last non-blank line is an empty prompt ("pgpulse:NAME> ").
shell_tmux_at_prompt() {
	local last re='^pgpulse(:[^ ]+)?> *$'
	last=$(shell_tmux_screen | sed '/^ *$/d' | tail -n 1)
	[[ $last =~ $re ]]
}

# shell_tmux_wait TEXT [SECONDS]: until the screen shows TEXT.
shell_tmux_wait() {
	wait_until "${2:-10}" shell_tmux_has "$1" || assert_contains "$(shell_tmux_screen)" "$1" "the screen shows it"
}

shell_count() {
	grep -c -F -- "$2" <<<"$1" || true
}

# The screen shows TEXT exactly N times.
shell_tmux_shows_times() {
	[ "$(shell_count "$(shell_tmux_screen)" "$1")" = "$2" ]
}

shell_open_count_is() {
	[ "$(pgpulse_open_count)" = "$1" ]
}

# Established TCP connections to a local port.
shell_connections_to() {
	ss -Htn state established "( dport = :$1 )" | grep -c . || true
}

shell_no_connections_to() {
	[ "$(shell_connections_to "$1")" = 0 ]
}

shell_one_connection_to() {
	[ "$(shell_connections_to "$1")" -ge 1 ]
}

# ---------------------------------------------------------------- scripts

test_shell_scripted_check_and_slots() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "check; slots" "$(shell_app_uri)"
	assert_eq 0 "$status" "a healthy server (stderr: $stderr)"
	assert_match '^OK - connected in [0-9.]+ m?s \(PostgreSQL 15\.[0-9]+, TLSv1\.[23]\)' "$output" "check's first line"
	assert_contains "$output" "target    postgresql://app:***@127.0.0.1:$PG_PORT/appdb" "the masked target"
	assert_match $'\nphases    dns [0-9.]+  tcp [0-9.]+  tls [0-9.]+  auth [0-9.]+  query [0-9.]+  close [0-9.]+  total [0-9.]+ ms' "$output" "every phase timed"
	assert_match $'\nsettings  [a-z_]+ ' "$output" "check shows the settings"
	assert_match 'certificate CN=localhost, expires [0-9T:Z-]+ \((2[0-9]|30) days left\)' "$output" "certificate days left"
	assert_match $'\nslots     [0-9]+ of 17 usable in use, [0-9]+ left \\(max_connections 20, 3 reserved\\)' "$output" "slots: 20 minus 3 reserved"
	assert_match $'\npgpulse +app +127\\.0\\.0\\.1 +1 ' "$output" "our own connection is a holder"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_shell_scripted_ping_prints_lines_and_summary() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -i 0.2 -c "ping 3" "$(shell_app_uri)"
	assert_eq 0 "$status" "all three answered (stderr: $stderr)"
	assert_match "^PING 127\\.0\\.0\\.1:$PG_PORT \\(postgresql://app:\\*\\*\\*@127\\.0\\.0\\.1:$PG_PORT/appdb\\): 3 probes" "$output" "ping's header"
	local seq
	for seq in 1 2 3; do
		assert_match $'\n'"seq=$seq ok time=[0-9.]+ m?s \\(dns [0-9.]+, tcp [0-9.]+, tls [0-9.]+, auth [0-9.]+, query [0-9.]+, close [0-9.]+\\) pid=[0-9]+" "$output" "probe $seq"
	done
	assert_contains "$output" "3 probes, 3 ok, 0 failed (0.0% failed)" "the summary"
	assert_match $'\ntotal +[0-9.]+ +[0-9.]+' "$output" "percentiles of the total"
}

test_shell_scripted_ping_all_failed_exits_critical() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -i 0.1 -c "ping 2" "host=127.0.0.1 port=$REFUSED_PORT user=app dbname=appdb"
	assert_eq 2 "$status" "nothing answered"
	assert_match $'\nseq=2 FAIL refused in tcp after' "$output" "each failure classified"
	assert_contains "$output" "2 probes, 0 ok, 2 failed" "the summary counts them"
}

test_shell_scripted_version_settings_tls() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "version; settings; tls" "$(shell_app_uri sslmode=require)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_match $'(^|\n)server    PostgreSQL 15\\.[0-9]+' "$output" "version"
	assert_match $'\nnumber    15[0-9]{4}\n' "$output" "version number"
	assert_contains "$output" "role      primary (not in recovery)" "not a standby"
	assert_match $'\nstatement_timeout +30s +user\n' "$output" "ALTER ROLE app SET statement_timeout, with its source"
	assert_match $'\nconnect_timeout +10s +pgpulse default\n' "$output" "the client's connect deadline"
	assert_contains "$output" "sslmode   require" "sslmode from the target"
	assert_match $'\nprotocol  TLSv1\\.3\n' "$output" "TLS 1.3"
	assert_contains "$output" "issuer    CN=pgpulse test CA" "the harness CA"
	assert_match $'\nexpires   [0-9T:Z-]+ \\([0-9]+ days left\\)' "$output" "certificate expiry"
}

test_shell_scripted_sql_prints_aligned_table() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "sql SELECT 1 AS one, 'x' AS two" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	local expected
	expected=$' one | two\n-----+-----\n   1 | x\n(1 row)'
	assert_eq "$expected" "$(head -n 4 <<<"$output")" "psql's aligned format"
	assert_match $'\ntime: [0-9.]+ m?s on a fresh connection' "$output" "timed"

	# A quoted query may hold ';'; rows and NULLs line up.
	run_cmd "$PGPULSE" shell -c 'sql "SELECT 1; SELECT n, NULL AS gap FROM generate_series(9, 10) n"' "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	expected=$' n  | gap\n----+-----\n  9 | \n 10 | \n(2 rows)'
	assert_eq "$expected" "$(head -n 5 <<<"$output")" "the last statement's rows"
}

test_shell_scripted_sql_write_is_read_only() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "sql CREATE TABLE t(x int)" "$(shell_app_uri)"
	assert_eq 2 "$status" "a write fails"
	assert_match '^failed    query_error in query after [0-9.]+ m?s \(SQLSTATE 25006\)' "$output" "classified like a probe error"
	assert_contains "$output" "message   cannot execute CREATE TABLE in a read-only transaction" "PostgreSQL's message"
	assert_match $'\nadvice    .+\nhint      sql runs in a read-only transaction' "$output" "the engine's advice, then why a write fails"
	assert_not_contains "$output" "check query" "the advice is about any query, not the check query"
	assert_eq "" "$("$PG_BINDIR/psql" -X -A -t -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d appdb \
		-c "SELECT to_regclass('public.t')" </dev/null)" "no table was made"
}

test_shell_sql_past_query_timeout_fails_as_timeout() {
	require_pgpulse
	local began=$SECONDS
	run_cmd "$PGPULSE" shell -c "set query-timeout 1; sql select pg_sleep(10)" "$(shell_app_uri)"
	assert_eq 2 "$status" "a query past its deadline is critical (stderr: $stderr)"
	assert_match $'\nfailed    timeout in query after 1\.[0-9]+ s\n' "$output" "class timeout, in the query phase"
	assert_match $'\nmessage   timeout expired' "$output" "the message"
	assert_match $'\nadvice    [^\n]*query-timeout' "$output" "the advice says which deadline to raise"
	(( SECONDS - began < 6 )) || assert_eq "under 6 s" "$((SECONDS - began)) s" "the deadline holds, not pg_sleep's 10 s"
	# run.sh checks that no connection is left behind.
}

test_shell_unknown_command_suggests_and_exits_unknown() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "chek" "$(shell_app_uri)"
	assert_eq 3 "$status" "unknown command"
	assert_eq "unknown command 'chek': did you mean check?" "$stderr" "the nearest command"

	run_cmd "$PGPULSE" shell -c "frobnicate" "$(shell_app_uri)"
	assert_eq 3 "$status" "unknown command"
	assert_eq "unknown command 'frobnicate': help lists the commands" "$stderr" "no near miss"

	run_cmd "$PGPULSE" shell -c "ping lots" "$(shell_app_uri)"
	assert_eq 3 "$status" "wrong arguments"
	assert_contains "$stderr" "usage: ping [N]" "the usage line"

	run_cmd "$PGPULSE" shell -c "watch" "$(shell_app_uri)"
	assert_eq 3 "$status" "no dashboard without a terminal"
	assert_contains "$stderr" "needs a terminal" "says why"
}

test_shell_worst_status_of_several_commands() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "version; chek; sql SELECT 42 AS answer" "$(shell_app_uri)"
	assert_eq 3 "$status" "the unknown command is the worst"
	assert_match '^server    PostgreSQL 15' "$output" "the first command ran"
	assert_match $'\n answer\n--------\n     42\n' "$output" "the command after the bad one ran too"
}

test_shell_reports_separated_by_one_blank_line() {
	require_pgpulse
	local target line out rc=0
	target="127.0.0.1:$PG_PORT"
	line=$(printf '* 1 %-20s %-10s %s' "$target" "not probed" "postgresql://app:***@$target/appdb")
	# Both streams together, as a terminal shows them.
	out=$("$PGPULSE" shell -c "bogus; targets; bogus2; targets" "$(shell_app_uri)" 2>&1) || rc=$?
	assert_eq 3 "$rc" "the unknown commands are the worst"
	assert_eq "unknown command 'bogus': help lists the commands

$line

unknown command 'bogus2': help lists the commands

$line" "$out" "exactly one blank line between reports, none before the first"

	# Each stream alone starts with its first report.
	run_cmd "$PGPULSE" shell -c "bogus; targets" "$(shell_app_uri)"
	assert_eq "$line" "$output" "no blank line in front of stdout"

	# Lines from a pipe are one script: their reports are separated too.
	rc=0
	out=$(printf 'targets\ntargets; targets\n' | "$PGPULSE" shell "$(shell_app_uri)" 2>&1) || rc=$?
	assert_eq 0 "$rc" "all ran"
	assert_eq "$line

$line

$line" "$out" "one blank line between piped commands"
}

test_shell_script_skips_comments_and_blank_lines() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c $'# the app database\n\n   \n  # indented; not a command\nversion; # the rest is a comment\n\ntargets' "$(shell_app_uri)"
	assert_eq 0 "$status" "comments and blank lines are no commands (stderr: $stderr)"
	assert_eq "" "$stderr" "nothing unknown"
	assert_match '^server    PostgreSQL 15' "$output" "version ran"
	assert_match $'\n\n\\* 1 ' "$output" "targets ran, after one blank line"

	local out rc=0
	out=$(printf '#!/usr/bin/env pgpulse shell\n\n# comment\n\t# tab, then comment\ntargets\n' |
		"$PGPULSE" shell "$(shell_app_uri)" 2>&1) || rc=$?
	assert_eq 0 "$rc" "from a pipe too"
	assert_match '^\* 1 ' "$out" "only targets printed"
}

test_shell_settings_names_connect_timeout_source() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "settings" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_match $'\nconnect_timeout +10s +pgpulse default$' "$output" "nobody set it"

	run_cmd "$PGPULSE" shell -c "set timeout 4; timeouts" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_match $'\nconnect_timeout +4s +set timeout$' "$output" "set timeout in this session"

	run_cmd "$PGPULSE" shell -c "set timeout 4; settings" "$(shell_app_uri connect_timeout=3)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_match $'\nconnect_timeout +3s +target$' "$output" "the target's own connect_timeout wins"
}

test_shell_targets_not_probed_until_a_command_probes() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "targets; version; targets" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_match "^\\* 1 127\\.0\\.0\\.1:$PG_PORT +not probed " "$output" "probing is off: not WAITING"
	assert_match $'\n\\* 1 127\\.0\\.0\\.1:'"$PG_PORT"' +UP ' "$output" "the last result's state once probed"
	assert_not_contains "$output" "WAITING" "nothing waits"
}

test_shell_counts_are_singular_for_one() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "ping 1; errors" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_contains "$output" "appdb): 1 probe, one every" "ping's header"
	assert_contains "$output" "appdb): 1 probe, 0 failed" "errors"
}

test_shell_check_refused_exits_critical() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c check "host=127.0.0.1 port=$REFUSED_PORT user=app dbname=appdb"
	assert_eq 2 "$status" "refused is critical"
	assert_match '^CRITICAL - refused: ' "$output" "the status line"
	assert_match $'\nfailed    refused in tcp after' "$output" "where it failed"
	assert_match $'\nadvice    ' "$output" "what to do"
}

test_shell_commands_from_a_pipe() {
	require_pgpulse
	local out rc=0
	out=$(printf 'version\n\nsql SELECT 6 * 7 AS answer\nerrors\n' | "$PGPULSE" shell "$(shell_app_uri)") || rc=$?
	assert_eq 0 "$rc" "every command succeeded"
	assert_match '^server    PostgreSQL 15' "$out" "version ran"
	assert_match $'\n     42\n\\(1 row\\)' "$out" "sql ran"
	assert_contains "$out" "1 probe, 0 failed" "errors counts version's probe, not sql's"

	rc=0
	out=$(printf 'version\ncheck\n' | "$PGPULSE" shell "host=127.0.0.1 port=$REFUSED_PORT user=app dbname=appdb") || rc=$?
	assert_eq 2 "$rc" "the worst status of the piped commands"
}

test_shell_errors_lists_failures() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -i 0.1 -c "ping 2; errors" "host=127.0.0.1 port=$REFUSED_PORT user=app dbname=appdb"
	assert_eq 2 "$status" "ping failed"
	assert_contains "$output" "2 probes, 2 failed" "counted"
	assert_contains "$output" "by class: refused=2" "by class"
	assert_match $'\n[0-9T:.Z-]+ seq=2 refused in tcp: ' "$output" "the newest failure, classified"
}

test_shell_target_add_and_use() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "target add bouncer host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb; target use bouncer; targets; version" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_contains "$output" "added bouncer: postgresql://app@127.0.0.1:$BOUNCER_PORT/appdb" "added, shown masked"
	assert_match $'\n\\* 2 bouncer ' "$output" "bouncer is current"
	assert_match $'\nserver    PostgreSQL 15' "$output" "version through PgBouncer"

	# By number too, counted from 1 like the dashboard.
	run_cmd "$PGPULSE" shell -c "target add b host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb; target use 2; target use 1; targets" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_match $'\n\\* 1 127\\.0\\.0\\.1:'"$PG_PORT"' ' "$output" "the first target is current again"

	run_cmd "$PGPULSE" shell -c "target use nope" "$(shell_app_uri)"
	assert_eq 3 "$status" "no such target"
	assert_contains "$stderr" "no target 'nope'" "says so"
}

test_shell_set_changes_probing() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "set interval 250ms; set timeout 3; set query SELECT 2; show" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	assert_match $'\ninterval +250\\.0 ms ' "$output" "interval"
	assert_match $'\ntimeout +3\\.00 s ' "$output" "connect timeout"
	assert_match $'\nquery +SELECT 2 ' "$output" "check query"
	assert_match $'\nprobing +off ' "$output" "background probing is off in the shell"

	run_cmd "$PGPULSE" shell -c "set interval soon" "$(shell_app_uri)"
	assert_eq 3 "$status" "bad value"
	assert_contains "$stderr" "usage: set interval SECONDS" "the usage line"

	local setting value range
	for setting in "interval 0 0.05" "timeout 0 0.1" "query-timeout 86401 0.1"; do
		read -r setting value range <<<"$setting"
		run_cmd "$PGPULSE" shell -c "set $setting $value" "$(shell_app_uri)"
		assert_eq 3 "$status" "$setting $value is out of range"
		assert_contains "$stderr" "set: $setting must be $range s to 86400 s" "says the range"
		assert_contains "$stderr" "usage: set $setting SECONDS" "and the usage"
	done
}

test_shell_burst_in_script_needs_yes() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "burst 2" "$(shell_app_uri)"
	assert_eq 3 "$status" "no question in a script: refused"
	assert_contains "$stderr" "burst 2 yes" "says how to confirm"
	assert_eq 0 "$(pgpulse_open_count)" "nothing opened"
}

test_shell_help_lists_every_command() {
	require_pgpulse
	run_cmd "$PGPULSE" shell -c "help; help set; help who" "$(shell_app_uri)"
	assert_eq 0 "$status" "stderr: $stderr"
	local cmd
	for cmd in "check [TARGET]" "ping [N]" version settings slots tls errors "sql QUERY" \
		"target add NAME TARGET | use NAME" targets "set interval" show "burst N [yes]" watch \
		"help [COMMAND]" quit; do
		assert_match $'\n  '"${cmd//[/\\[}" "$output" "help lists $cmd"
	done
	assert_contains "$output" "  set probing on|off" "help set lists the settings"
	assert_contains "$output" "usage: slots" "help explains an alias's command"
	assert_contains "$output" "alias: who" "and names the alias"
	for cmd in "settings (timeouts)" "slots (who)" "tls (cert)" "help [COMMAND] (?)" "quit (exit)"; do
		assert_contains "$output" $'\n  '"$cmd " "help shows the alias of ${cmd%% *}"
	done
	assert_contains "$output" "# is a comment" "help says what a comment is"
}

# ---------------------------------------------------------------- prompt

test_shell_prompt_tab_completes_command_and_setting() {
	require_pgpulse
	shell_tmux_start "$(shell_app_uri)"
	shell_tmux_keys "che" Tab
	shell_tmux_wait "> check"
	shell_tmux_keys C-u "set pro" Tab
	shell_tmux_wait "> set probing"
	shell_tmux_keys C-u "timeo" Tab
	shell_tmux_wait "> timeouts"
	shell_tmux_keys C-u "help ex" Tab
	shell_tmux_wait "> help exit"
	shell_tmux_keys C-u "help" Enter
	shell_tmux_wait "quit (exit)                leave"
	shell_tmux_keys "chek" Enter
	shell_tmux_wait "unknown command 'chek': did you mean check?"
	wait_until 5 shell_tmux_at_prompt || assert_eq prompt "$(shell_tmux_screen)" "back at the prompt"
	shell_tmux_keys C-d
	shell_tmux_wait "pgpulse exited 0"
	shell_tmux_stop
}

test_shell_history_is_private_and_has_no_password() {
	require_pgpulse
	shell_tmux_start "$(shell_app_uri)"
	shell_tmux_keys "target add x postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb" Enter
	shell_tmux_wait "added x: postgresql://app:***@127.0.0.1:$PG_PORT/appdb"
	shell_tmux_keys "target add y host=127.0.0.1 port=$PG_PORT user=app password=$APP_PASSWORD" Enter
	shell_tmux_wait "added y:"
	# A URI given to check, and a shell-quoted password= word elsewhere.
	shell_tmux_keys "check postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb" Enter
	shell_tmux_wait "OK - connected"
	shell_tmux_keys "help 'password=$APP_PASSWORD'" Enter
	shell_tmux_wait "help: no command"
	# What the user typed is echoed by the terminal; nothing pgpulse wrote shows it.
	assert_not_contains "$(shell_tmux_screen | grep -v '^pgpulse:[^ ]*> ')" "$APP_PASSWORD" "no output shows it"
	shell_tmux_keys "quit" Enter
	shell_tmux_wait "pgpulse exited 0"
	shell_tmux_stop

	local file=$SHELL_STATE/pgpulse/history history
	[ -f "$file" ] || assert_eq "a file" "nothing" "history at \$XDG_STATE_HOME/pgpulse/history"
	assert_eq 600 "$(stat -c %a "$file")" "history is private"
	assert_eq 700 "$(stat -c %a "$SHELL_STATE/pgpulse")" "and its directory"
	history=$(cat "$file")
	assert_contains "$history" "target add x postgresql://app:***@127.0.0.1:$PG_PORT/appdb" "the line, masked"
	assert_contains "$history" "target add y host=127.0.0.1 port=$PG_PORT user=app password=***" "conninfo, masked"
	assert_contains "$history" "check postgresql://app:***@127.0.0.1:$PG_PORT/appdb" "check's URI, masked"
	assert_contains "$history" "help password=***" "a quoted password= word, masked"
	assert_contains "$history" "quit" "later lines too"
	assert_not_contains "$history" "$APP_PASSWORD" "never the password"
}

test_shell_errors_never_echo_a_password() {
	require_pgpulse
	local pw=$APP_PASSWORD
	run_cmd "$PGPULSE" shell -c "postgresql://app:$pw@127.0.0.1/x; help postgresql://app:$pw@h; target use password=$pw; set password=$pw 1; ping password=$pw; check 'postgresql://app:$pw@h" "$(shell_app_uri)"
	assert_eq 3 "$status" "usage errors"
	assert_contains "$stderr" "unknown command 'postgresql://app:***@127.0.0.1/x'" "the word is echoed masked"
	assert_contains "$stderr" "unbalanced quote" "the unparsed line is not echoed"
	assert_not_contains "$output$stderr" "$pw" "no password on stdout or stderr"
}

test_shell_command_text_leaves_the_process_arguments() {
	require_pgpulse
	local pid
	"$PGPULSE" shell -c "ping 30; target add x postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb" \
		"$(shell_app_uri)" >/dev/null 2>&1 &
	pid=$!
	assert_args_hide "$pid" "$APP_PASSWORD"
	kill -TERM "$pid"
	wait "$pid" || true
}

test_shell_ctrl_c_cancels_ping_against_silent_server() {
	require_pgpulse
	command -v ss >/dev/null || assert_eq ss missing "ss (iproute2) counts connections"
	shell_tmux_start "host=127.0.0.1 port=$FAKE_SILENT_PORT user=app dbname=appdb"
	shell_tmux_keys "set timeout 600" Enter
	shell_tmux_wait "timeout 600.00 s"
	shell_tmux_keys "ping 100" Enter
	wait_until 10 shell_one_connection_to "$FAKE_SILENT_PORT" ||
		assert_eq "a connection" "none" "ping connects to the silent server"
	shell_tmux_keys C-c
	# Promptly: the deadline is ten minutes away.
	wait_until 3 shell_tmux_has "cancelled" || assert_contains "$(shell_tmux_screen)" "cancelled" "Ctrl-C cancels"
	wait_until 3 shell_tmux_at_prompt || assert_eq prompt "$(shell_tmux_screen)" "back at the prompt"
	wait_until 5 shell_no_connections_to "$FAKE_SILENT_PORT" ||
		assert_eq 0 "$(shell_connections_to "$FAKE_SILENT_PORT")" "the connection was closed"
	assert_contains "$(shell_tmux_screen)" "0 probes, 0 ok, 0 failed" "the summary of what ran"

	# Ctrl-C at the prompt clears the line; the shell stays.
	shell_tmux_keys "garbage"
	shell_tmux_wait "> garbage"
	shell_tmux_keys C-c
	wait_until 3 shell_tmux_at_prompt || assert_eq prompt "$(shell_tmux_screen)" "an empty prompt"
	shell_tmux_keys C-d
	shell_tmux_wait "pgpulse exited 0"
	shell_tmux_stop
}

test_shell_ctrl_r_finds_earlier_command() {
	require_pgpulse
	shell_tmux_start "$(shell_app_uri)"
	shell_tmux_keys "version" Enter
	shell_tmux_wait "role      primary"
	shell_tmux_keys "targets" Enter
	shell_tmux_wait "* 1 127.0.0.1:$PG_PORT"
	shell_tmux_keys C-r "vers"
	shell_tmux_wait "(reverse-i-search)\`vers': version"
	shell_tmux_keys Enter
	wait_until 10 shell_tmux_shows_times "role      primary" 2 ||
		assert_eq 2 "$(shell_count "$(shell_tmux_screen)" "role      primary")" "version ran again"
	shell_tmux_keys "quit" Enter
	shell_tmux_wait "pgpulse exited 0"
	shell_tmux_stop
}

test_shell_burst_asks_before_opening() {
	require_pgpulse
	shell_tmux_start "$(shell_app_uri)"
	shell_tmux_keys "burst 1" Enter
	shell_tmux_wait "Open up to 1 connection to postgresql://app:***@127.0.0.1:$PG_PORT/appdb? [y/N]"
	shell_tmux_keys "n" Enter
	shell_tmux_wait "burst not started"
	shell_tmux_keys "burst 2" Enter
	shell_tmux_wait "Open up to 2 connections to postgresql://app:***@127.0.0.1:$PG_PORT/appdb? [y/N]"
	assert_eq 0 "$(pgpulse_open_count)" "nothing opened while asking"
	shell_tmux_keys "n" Enter
	wait_until 10 shell_tmux_shows_times "burst not started" 2 ||
		assert_eq 2 "$(shell_count "$(shell_tmux_screen)" "burst not started")" "the second answer"
	shell_tmux_keys "burst 2" Enter
	wait_until 10 shell_tmux_shows_times "[y/N]" 3
	shell_tmux_keys "y" Enter
	shell_tmux_wait "opened 2 of 2"
	wait_until 10 shell_tmux_at_prompt || assert_eq prompt "$(shell_tmux_screen)" "back at the prompt"
	wait_until 5 shell_open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "burst closed them all"
	shell_tmux_keys "quit" Enter
	shell_tmux_wait "pgpulse exited 0"
	shell_tmux_stop
}

test_shell_colon_opens_prompt_over_dashboard() {
	require_pgpulse
	shell_tmux_run -i 0.2 "$(shell_app_uri)" "host=127.0.0.1 port=$REFUSED_PORT user=app dbname=appdb"
	shell_tmux_wait "2 targets"
	# the second target's first probe starts spread after the first's: its refusal seen
	shell_tmux_wait "refused"
	shell_tmux_keys ":"
	shell_tmux_wait "pgpulse prompt: probing goes on meanwhile"
	wait_until 5 shell_tmux_at_prompt || assert_eq prompt "$(shell_tmux_screen)" "the prompt opens"
	shell_tmux_keys "target use 2" Enter
	shell_tmux_wait "using 127.0.0.1:$REFUSED_PORT"
	shell_tmux_keys "errors" Enter
	shell_tmux_wait "by class: refused="
	shell_tmux_keys "watch" Enter
	# Back in the dashboard, with the prompt's choice of target selected.
	wait_until 10 shell_tmux_has $'\n> 2 ' ||
		assert_contains "$(shell_tmux_screen)" "> 2 " "the dashboard is back, target 2 selected"
	shell_tmux_keys ":"
	wait_until 5 shell_tmux_at_prompt || assert_eq prompt "$(shell_tmux_screen)" "the prompt opens again"
	shell_tmux_keys "quit" Enter
	shell_tmux_wait "pgpulse exited 0"
	shell_tmux_stop
}
