# shellcheck shell=bash
#
# t_dashboard.sh: the live dashboard, driven in tmux like a person would:
# keys in with send-keys, the screen read back with capture-pane, against
# the harness's real servers (and a throwaway PostgreSQL for DOWN/UP).

# shellcheck source=tmux.sh
. "${BASH_SOURCE[0]%/*}/tmux.sh"
TUI_SOCKET=pgpulse-test-$$
DASH_TARGET="postgresql://app:${APP_PASSWORD:-}@127.0.0.1:${PG_PORT:-0}/appdb?sslmode=verify-full&sslrootcert=${PG_CA:-}"

dash_tmux() {
	tui_tmux "$@"
}

# dash_start [ENV=VALUE...] -- PGPULSE_ARGS...: pgpulse in a detached
# 120x40 tmux window. A bash in between reaps it and writes its exit
# status to $DASH_STATUS (tmux alone may miss the status of a process that
# takes its time to exit, e.g. under LeakSanitizer).
dash_start() {
	local envs=(LANG=C.UTF-8 TERM=xterm-256color) cmd
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	DASH_STATUS=$PWD/dash-$$.status
	rm -f "$DASH_STATUS"
	cmd=$(tui_command "exec bash -c '\"\$@\"; echo \$? >\"\$0\"' $(printf '%q' "$DASH_STATUS") env -u NO_COLOR" \
		"${envs[@]}" "$PGPULSE" "$@")
	trap dash_cleanup EXIT
	tui_new dash "$cmd"
}

dash_screen() {
	tui_screen dash
}

dash_has() {
	[[ $(dash_screen) == *"$1"* ]]
}

dash_lacks() {
	! dash_has "$1"
}

dash_matches() {
	tui_matches dash "$1"
}

# dash_wait SECONDS TEXT [MSG]: fails with the screen when TEXT does not show up.
dash_wait() {
	wait_until "$1" dash_has "$2" || assert_contains "$(dash_screen)" "$2" "${3:-screen shows \"$2\" within $1 s}"
}

dash_wait_gone() {
	wait_until "$1" dash_lacks "$2" || assert_not_contains "$(dash_screen)" "$2" "${3:-\"$2\" leaves the screen within $1 s}"
}

dash_keys() {
	dash_tmux send-keys -t dash "$@"
}

# The literal characters, so '-' and '+' are not taken for options or key names.
dash_type() {
	dash_tmux send-keys -t dash -l -- "$1"
}

dash_exited() {
	[ -s "$DASH_STATUS" ]
}

dash_exit_status() {
	cat "$DASH_STATUS"
}

# pgpulse's pid: the child of the pane's bash (found in /proc, no procps needed).
dash_pid() {
	local parent f line
	parent=$(dash_tmux display-message -p -t dash '#{pane_pid}')
	for f in /proc/[0-9]*/stat; do
		line=$(cat "$f" 2>/dev/null) || continue
		line=${line##*) }
		# shellcheck disable=SC2086
		set -- $line
		[ "$2" = "$parent" ] && { f=${f#/proc/}; echo "${f%/stat}"; return 0; }
	done
	return 1
}

# Every test's EXIT trap: the dashboard, then a throwaway server if any.
dash_cleanup() {
	dash_stop
	if [ -n "${OWN_PG_DIR:-}" ]; then
		[ -f "$OWN_PG_DATA/postmaster.pid" ] && own_pg_ctl stop -m immediate -w -t 10 -s >/dev/null 2>&1
		rm -rf "$OWN_PG_DIR"
	fi
	return 0
}

dash_stop() {
	if dash_tmux has-session -t dash 2>/dev/null && [ -n "${DASH_STATUS:-}" ] && ! dash_exited; then
		dash_type q
		wait_until 5 dash_exited || true
	fi
	dash_tmux kill-server 2>/dev/null || true
}

# The number on the screen after "probes " (the counters panel).
dash_probes() {
	local s
	s=$(dash_screen)
	[[ $s =~ probes\ ([0-9]+)\ \ ok ]] && echo "${BASH_REMATCH[1]}"
}

dash_probes_at_least() {
	local n
	n=$(dash_probes)
	[ -n "$n" ] && ((n >= $1))
}

# The full view shows Slots and Latency with every detail.
dash_slots_and_latency_in_full() {
	dash_has " held application" && dash_matches "auth +[0-9.]+ m?s"
}

# The events view's count of events kept is at least $1.
dash_kept_at_least() {
	[[ $(dash_screen) =~ \(([0-9]+)\ kept ]] && ((BASH_REMATCH[1] >= $1))
}

open_count_is() {
	[ "$(pgpulse_open_count)" = "$1" ]
}

test_dashboard_panels_show_real_values() {
	require_pgpulse
	dash_start -- "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15" "the server panel names the version"
	dash_wait 15 "TLSv1.3" "the TLS panel"
	dash_wait 15 "max_connections" "the slots panel is filled by introspection"
	local screen
	screen=$(dash_screen)
	assert_contains "$screen" " UP " "state UP"
	assert_match "availability 100\.00%" "$screen" "availability"
	assert_contains "$screen" "app:***@127.0.0.1:$PG_PORT/appdb" "the target, masked"
	assert_not_contains "$screen" "$APP_PASSWORD" "no password on screen"
	assert_match "backend pid +[1-9][0-9]*" "$screen" "backend pid of the last probe"
	assert_match "in_recovery no" "$screen" "primary"
	assert_match "address +127\.0\.0\.1:$PG_PORT \(IPv4\)" "$screen" "the address used"
	assert_match "TLS_[A-Z0-9_]+ \(256 bits\)" "$screen" "cipher and bits"
	assert_match "certificate +CN=localhost" "$screen" "certificate subject"
	assert_match "\((2[0-9]|30) days left\)" "$screen" "days left on the harness certificate"
	assert_match "statement_timeout +30s +user" "$screen" "ALTER ROLE app SET statement_timeout, source user"
	assert_match "idle_in_transaction_session_timeout +0 +default" "$screen" "a default timeout"
	assert_match "tcp_keepalives_idle +[0-9]+ +default" "$screen" "keepalives"
	assert_match "connect_timeout +10s +pgpulse default" "$screen" "the target's connect_timeout"
	assert_match "in use [0-9]+ / 20 max_connections \(3 reserved, 17 usable\)" "$screen" "slots"
	assert_match "pgpulse +app@127\.0\.0\.1" "$screen" "top holders include our own probe"
	local phase
	for phase in dns tcp tls auth query close total; do
		assert_match "$phase +[0-9.]+ m?s +[0-9.]+ m?s +[0-9.]+ m?s +[0-9.]+ m?s +[0-9.]+ m?s" "$screen" "latency row $phase"
	done
	assert_match "trend [▁▂▃▄▅▆▇█]+" "$screen" "UTF-8 sparkline"
	assert_match "#[0-9]+ +ok +[0-9.]+ ms +pid [0-9]+" "$screen" "a probe line"
	assert_match "connections of ours open now [01]" "$screen" "open now gauge"
	dash_type q
	wait_until 5 dash_exited
	assert_eq 0 "$(dash_exit_status)" "q exits 0"
}

test_dashboard_every_key_works() {
	require_pgpulse
	dash_start -- --interval 0.5 "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15"

	# ? lists the keys from the table that dispatches them; any key closes it.
	dash_type '?'
	dash_wait 3 "pgpulse keys"
	local screen label
	screen=$(dash_screen)
	for label in "q " "p " "+ " "- " "r " "Tab Down Right" "S-Tab Up Left" "Enter" "Esc Backspace" \
		"e " "PgUp PgDn Home End" ": " "Ctrl-L" "? "; do
		assert_contains "$screen" "│ $label" "help lists '$label'"
	done
	dash_keys Escape
	dash_wait_gone 3 "pgpulse keys"

	# p pauses: PAUSED shows and the probe count stands still.
	dash_type p
	dash_wait 3 "PAUSED"
	dash_wait 3 "probing paused"
	local before
	before=$(dash_probes)
	assert_match '^[0-9]+$' "$before" "the probe counter is on screen"
	sleep 1.5 # a pause must last longer than the interval to mean anything
	assert_eq "$before" "$(dash_probes)" "no probes while paused"

	# r resets the counters.
	dash_type r
	dash_wait 3 "probes 0  ok 0  failed 0"
	dash_wait 3 "latency and availability reset"
	assert_match "availability - \(0/0\)" "$(dash_screen)" "availability reset"

	# p again resumes.
	dash_type p
	dash_wait_gone 3 "PAUSED"
	wait_until 10 dash_probes_at_least 2 || assert_eq ">= 2" "$(dash_probes)" "probing resumed"

	# + and - walk the interval.
	dash_type +
	dash_wait 3 "interval 1s"
	dash_type +
	dash_wait 3 "interval 2s"
	dash_type -
	dash_type -
	dash_wait 3 "interval 0.5s"
	dash_type -
	dash_wait 3 "interval 0.2s"
	dash_type +
	dash_wait 3 "interval 0.5s"

	# e: the lifecycle events full screen, PgDn scrolls, e goes back.
	dash_type e
	dash_wait 3 "newest first; PgUp/PgDn/Home/End scroll"
	# More than a page (37 rows) of events to scroll through.
	wait_until 15 dash_kept_at_least 45 || assert_match "\((4[5-9]|[5-9][0-9]|[0-9]{3}) kept" "$(dash_screen)" "a page of events"
	screen=$(dash_screen)
	assert_match "[0-9:.]+ #[0-9]+ +ready +[0-9.]+ ms +backend pid [0-9]+, PostgreSQL 15" "$screen" "ready event"
	assert_match "#[0-9]+ +tls +[0-9.]+ ms +TLSv1.3" "$screen" "tls event"
	assert_match "#[0-9]+ +close" "$screen" "close event"
	dash_keys NPage
	dash_wait 3 "scrolled back"
	dash_keys Home
	dash_wait_gone 3 "scrolled back"
	dash_keys End
	dash_wait 3 "scrolled back"
	dash_keys Home
	dash_wait_gone 3 "scrolled back"
	dash_type e
	dash_wait 3 "Latency"
	dash_type e
	dash_wait 3 "newest first; PgUp"
	dash_keys Escape
	dash_wait 3 "Latency"

	# Ctrl-L redraws everything: junk written behind curses' back goes away.
	printf 'XYZZY-JUNK' >"$(dash_tmux display -p -t dash '#{pane_tty}')"
	dash_wait 3 "XYZZY-JUNK"
	dash_keys C-l
	dash_wait_gone 3 "XYZZY-JUNK"
	dash_wait 3 "Timeouts"

	# Tab and arrows with one target stay on it.
	dash_keys Tab
	dash_keys Left
	dash_wait 3 "Timeouts"
	assert_not_contains "$(dash_screen)" "[1/" "no target counter with one target"

	# : opens the prompt; Ctrl-D comes back to the dashboard.
	dash_type :
	dash_wait 5 "pgpulse prompt"
	dash_keys C-d
	dash_wait 5 "Latency"

	dash_type q
	wait_until 5 dash_exited
	assert_eq 0 "$(dash_exit_status)" "q exits 0"
}

test_dashboard_targets_table() {
	require_pgpulse
	dash_start -- "$DASH_TARGET" \
		"host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb" \
		"host=127.0.0.1 port=$FAKE_SESSION_PORT user=app dbname=postgres" \
		"host=127.0.0.1 port=$REFUSED_PORT user=app dbname=postgres"
	dash_wait 5 "4 targets"
	wait_until 15 dash_matches "127\.0\.0\.1:$REFUSED_PORT +DOWN" ||
		assert_match "127\.0\.0\.1:$REFUSED_PORT +DOWN" "$(dash_screen)" "refused target DOWN"
	wait_until 15 dash_matches "127\.0\.0\.1:$BOUNCER_PORT +UP" ||
		assert_match "127\.0\.0\.1:$BOUNCER_PORT +UP" "$(dash_screen)" "PgBouncer UP"
	local screen
	screen=$(dash_screen)
	assert_match "TARGET +STATE +SINCE +LAST +P50 +P95 +LOSS +PROBES +INTERVAL +LAST ERROR" "$screen" "the header"
	assert_match "> 1  127\.0\.0\.1:$PG_PORT +UP .* -" "$screen" "direct server UP, first row selected"
	assert_match "127\.0\.0\.1:$FAKE_SESSION_PORT +DOWN .*100\.0% .* max_clients XX000" "$screen" "the fake Supavisor: max_clients"
	assert_match "127\.0\.0\.1:$REFUSED_PORT +DOWN .*100\.0% .* refused" "$screen" "nothing listens: refused"
	assert_contains "$screen" "MaxClientsInSessionMode" "the probe log shows the Supavisor message"
	assert_not_contains "$screen" "$APP_PASSWORD" "no password"

	# Tab opens the selected target, Tab and arrows move between targets.
	dash_keys Tab
	dash_wait 3 "[1/4] postgresql://app:***@127.0.0.1:$PG_PORT"
	dash_keys Tab
	dash_wait 3 "[2/4]"
	dash_keys Right
	dash_wait 3 "[3/4]"
	dash_wait 3 "MAX_CLIENTS INCIDENT"
	dash_wait 3 "backing off: max_clients"
	assert_contains "$(dash_screen)" "advice: each client holds a server connection" "Supavisor advice"
	dash_keys Down
	dash_wait 3 "[4/4]"
	dash_wait 3 "last probe failed: refused"
	dash_keys BTab
	dash_wait 3 "[3/4]"
	dash_keys Up
	dash_wait 3 "[2/4]"

	# Esc goes back to the table, arrows move the selection, Enter opens it.
	dash_keys Escape
	dash_wait 3 "4 targets"
	dash_keys Down
	dash_wait 3 "> 3  127.0.0.1:$FAKE_SESSION_PORT"
	dash_keys Enter
	dash_wait 3 "[3/4]"
	dash_keys BSpace
	dash_wait 3 "4 targets"

	# e shows the selected target's events.
	dash_type e
	dash_wait 3 "events  postgresql://app@127.0.0.1:$FAKE_SESSION_PORT"
	dash_wait 3 "max_clients XX000 in auth: MaxClientsInSessionMode"
	dash_keys Escape
	dash_wait 3 "4 targets"
}

test_dashboard_resize_down_to_nothing_and_back() {
	require_pgpulse
	dash_start -- "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15"
	dash_tmux resize-window -t dash -x 10 -y 5
	dash_wait 3 "too small"
	assert_contains "$(dash_screen)" "(10x5," "the size is named"
	local size
	for size in "1 1" "2 1" "39 9" "40 3" "3 40"; do
		# shellcheck disable=SC2086
		set -- $size
		dash_tmux resize-window -t dash -x "$1" -y "$2"
		sleep 0.2 # let a redraw happen at this size
		dash_exited && assert_eq running exited "pgpulse survived ${1}x${2}"
	done
	dash_tmux resize-window -t dash -x 40 -y 10
	dash_wait 3 "pgpulse"
	dash_tmux resize-window -t dash -x 80 -y 24
	dash_wait 3 "Latency"
	dash_tmux resize-window -t dash -x 120 -y 40
	dash_wait 3 "Timeouts"
	dash_wait 3 "TLSv1.3"
	assert_not_contains "$(dash_screen)" "too small" "full view again"
	dash_exited && assert_eq running exited "still running"
	return 0
}

# A throwaway PostgreSQL the test may stop and start (the harness's is shared).
own_pg_ctl() {
	harness_pg_ctl_at "$OWN_PG_DATA" "$@"
}


# own_pg_start: initdb and start a throwaway server on a free port ($OWN_PG_PORT).
own_pg_start() {
	OWN_PG_DIR=$(mktemp -d "$HARNESS_TMP/own-pg.XXXXXX")
	OWN_PG_DATA=$OWN_PG_DIR/data
	OWN_PG_PORT=$(harness_free_port)
	chmod 755 "$OWN_PG_DIR"
	[ -n "${HARNESS_USER:-}" ] && chown "$HARNESS_USER" "$OWN_PG_DIR"
	trap dash_cleanup EXIT
	harness_initdb "$OWN_PG_DATA" "$OWN_PG_DIR/initdb.log" --auth=trust
	cat >>"$OWN_PG_DATA/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		port = $OWN_PG_PORT
		unix_socket_directories = '$OWN_PG_DIR'
		fsync = off
		shared_buffers = 8MB
	EOF
	own_pg_ctl start -w -t 30 -s -l "$OWN_PG_DIR/log" >/dev/null
}

# "1.5 s" or "250 ms" (util_fmt_ms) in microseconds, for comparisons.
dash_ms_to_us() {
	local v=${1% *} unit=${1#* }
	v=$(harness__seconds_to_us "$v")
	[ "$unit" = ms ] && v=$((v / 1000))
	echo "$v"
}

test_dashboard_server_down_and_up() {
	require_pgpulse
	own_pg_start
	local port=$OWN_PG_PORT

	dash_start -- --interval 1 "host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=disable"
	dash_wait 15 "PostgreSQL 15"
	dash_wait 5 " UP "

	own_pg_ctl stop -m fast -w -t 10 -s
	local t0 t1
	t0=$(harness__now_us)
	dash_wait 3 " DOWN " "DOWN within one interval (1 s) of the server stopping"
	t1=$(harness__now_us)
	dash_wait 2 "last probe failed: refused" "the class is refused"
	echo "DOWN shown $(((t1 - t0) / 1000)) ms after pg_ctl stop returned"
	assert_contains "$(dash_screen)" "advice: nothing listens" "refused advice"
	assert_match "failures refused [0-9]+" "$(dash_screen)" "counted by class"
	# The outage going on is at least as long as itself: longest >= current.
	sleep 1.2 # a redraw between two probes, when the live clock runs ahead
	local screen longest current
	screen=$(dash_screen)
	assert_match "outages  longest ([0-9.]+ m?s)  current ([0-9.]+ m?s)" "$screen" "an outage going on"
	longest=$(dash_ms_to_us "${BASH_REMATCH[1]}")
	current=$(dash_ms_to_us "${BASH_REMATCH[2]}")
	((longest >= current)) || assert_eq "longest >= current" "${BASH_REMATCH[0]}" "the longest outage includes the current one"

	own_pg_ctl start -w -t 30 -s -l "$OWN_PG_DIR/log" >/dev/null
	t0=$(harness__now_us)
	dash_wait 5 " DEGRADED " "answering again after the server starts (degraded while failures are recent)"
	t1=$(harness__now_us)
	echo "answering again $(((t1 - t0) / 1000)) ms after pg_ctl start returned"
	dash_wait_gone 3 "last probe failed"
	assert_match "outages  longest [0-9.]+ m?s" "$(dash_screen)" "the outage is measured"
	dash_wait 15 " UP " "UP once the failures have aged out of the recent window"
}

test_dashboard_max_clients_incident_from_postgres() {
	require_pgpulse
	hold_connections 17 harness_fill
	dash_start -- --interval 0.5 "$DASH_TARGET"
	dash_wait 10 "MAX_CLIENTS INCIDENT"
	local screen
	screen=$(dash_screen)
	assert_contains "$screen" " DOWN " "DOWN"
	assert_contains "$screen" "53300" "SQLSTATE"
	assert_contains "$screen" "remaining connection slots are reserved" "the server's message"
	assert_contains "$screen" "limit reserved_slots" "which limit"
	assert_match "limit reserved_slots +\(SQLSTATE 53300\): remaining" "$(tr '\n' ' ' <<<"$screen")" "the SQLSTATE apart from the limit"
	assert_match "FAIL max_clients 53300" "$screen" "a failure line with class and SQLSTATE"
	dash_wait 5 "backing off: max_clients"
	release_connections harness_fill
	dash_wait 20 " DEGRADED " "answering once the slots are free"
	dash_wait_gone 3 "MAX_CLIENTS INCIDENT"
	assert_match "max_clients incidents 1" "$(dash_screen)" "the incident is counted"
	dash_wait 15 " UP " "UP once the failures have aged out"
}

test_dashboard_quit_leaves_no_connection() {
	require_pgpulse
	# A check query that takes its time: q comes while a probe holds a connection.
	dash_start -- --interval 0.2 --query-timeout 30 --query "SELECT pg_sleep(20)" "$DASH_TARGET"
	wait_until 15 open_count_is 1 || assert_eq 1 "$(pgpulse_open_count)" "a probe in flight"
	dash_wait 5 "open now 1"
	dash_type q
	wait_until 5 dash_exited
	assert_eq 0 "$(dash_exit_status)" "q exits 0"
	wait_until 5 open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "no connection of ours after q"
}

test_dashboard_hangup_quits() {
	require_pgpulse
	dash_start -- "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15"
	local pid
	pid=$(dash_pid)
	# The terminal goes away under it (SIGHUP, then EOF): it must end, not spin.
	dash_tmux kill-server
	wait_until 5 harness__pid_dead "$pid" || assert_eq dead alive "pgpulse $pid still running after its terminal went away"
	wait_until 5 open_count_is 0 || assert_eq 0 "$(pgpulse_open_count)" "no connection left"
}

test_dashboard_no_color_and_dumb_terminal() {
	require_pgpulse
	local colored plain
	dash_start -- "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15"
	colored=$(dash_tmux capture-pane -e -p -t dash)
	assert_match $'\e\\[[0-9;]*3[0-7]m' "$colored" "colours by default"
	dash_stop

	dash_start NO_COLOR=1 -- "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15"
	plain=$(dash_tmux capture-pane -e -p -t dash)
	if [[ $plain =~ $'\e'\[[0-9\;]*(3[0-7]|4[0-7]|38\;|48\;)[0-9\;]*m ]]; then
		assert_eq "no colour" "${BASH_REMATCH[0]}" "NO_COLOR: no colour escapes"
	fi
	assert_match $'\e\\[[0-9;]*[17]m' "$plain" "NO_COLOR still uses bold/reverse"
	dash_stop

	# TERM=dumb: the probe log instead of a screen.
	dash_start TERM=dumb -- "$DASH_TARGET"
	dash_wait 15 "seq=2 ok total="
	assert_not_contains "$(dash_screen)" "Latency" "no curses screen"
	dash_tmux kill-server # watch takes no keys; a hang-up ends it
}

# dash_failure_seqs CLASS: the #seq numbers of the failure lines of class
# CLASS on the screen (a target's own probe log), newest first, one a line.
dash_failure_seqs() {
	local line re="#([0-9]+) +FAIL $1"
	while IFS= read -r line; do
		[[ $line =~ $re ]] && echo "${BASH_REMATCH[1]}"
	done <<<"$(dash_screen)"
	return 0
}

test_dashboard_records_probes_made_under_the_prompt() {
	require_pgpulse
	own_pg_start
	dash_start -- --interval 1 "host=127.0.0.1 port=$OWN_PG_PORT user=postgres dbname=postgres sslmode=disable" \
		"host=127.0.0.1 port=$REFUSED_PORT user=app dbname=postgres"
	dash_wait 5 "2 targets"
	wait_until 15 dash_matches "127\.0\.0\.1:$OWN_PG_PORT +UP" ||
		assert_match "127\.0\.0\.1:$OWN_PG_PORT +UP" "$(dash_screen)" "the throwaway server UP"
	wait_until 15 dash_matches "127\.0\.0\.1:$REFUSED_PORT +DOWN" ||
		assert_match "127\.0\.0\.1:$REFUSED_PORT +DOWN" "$(dash_screen)" "refused target DOWN"
	assert_match "127\.0\.0\.1:$OWN_PG_PORT +UP .* -" "$(dash_screen)" "no error on the throwaway server yet"

	# The refused target's own probe log: the newest probe before the prompt.
	dash_keys Down
	dash_keys Enter
	dash_wait 3 "[2/2]"
	dash_wait 3 "FAIL refused"
	local before seqs newest oldest want
	before=$(dash_failure_seqs refused | head -1)

	# Under the prompt: the throwaway server stops, the refused target is
	# pinged, scheduled probes go on. The prompt tells of the health change.
	dash_type :
	dash_wait 5 "pgpulse prompt"
	own_pg_ctl stop -m fast -w -t 10 -s
	wait_until 5 dash_matches "$OWN_PG_PORT: [A-Z]+ -> DOWN" ||
		assert_match "$OWN_PG_PORT: [A-Z]+ -> DOWN" "$(dash_screen)" "the prompt saw the server stop"
	dash_type "ping 2"
	dash_keys Enter
	dash_wait 10 "2 probes, 0 ok" "the ping ran"
	dash_keys C-d
	dash_wait 5 "[2/2]"

	# Every probe made meanwhile is in the log: no gap since the one before.
	seqs=$(dash_failure_seqs refused)
	newest=$(head -1 <<<"$seqs")
	oldest=$(tail -1 <<<"$seqs")
	((oldest <= before)) || assert_eq "#$before still on screen" "oldest #$oldest" "the log reaches back to before the prompt"
	((newest >= before + 3)) || assert_eq ">= #$((before + 3))" "#$newest" "the pings and scheduled probes made under the prompt"
	want=$(seq "$newest" -1 "$oldest")
	assert_eq "$want" "$seqs" "no probe missing from the log"

	# The table's LAST ERROR and the log know of the failure under the prompt.
	dash_keys Escape
	dash_wait 3 "2 targets"
	wait_until 3 dash_matches "127\.0\.0\.1:$OWN_PG_PORT +DOWN .* refused" ||
		assert_match "127\.0\.0\.1:$OWN_PG_PORT +DOWN .* refused" "$(dash_screen)" "LAST ERROR of the stopped server"
	assert_match "127\.0\.0\.1:$OWN_PG_PORT +#[0-9]+ +FAIL refused" "$(dash_screen)" "its failures in the probe log"
}

test_dashboard_events_scroll_end_and_anchor() {
	require_pgpulse
	dash_start -- --interval 0.2 "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15"
	dash_type e
	dash_wait 3 "newest first; PgUp"
	# More than two pages of events (37 rows at 40 lines), not yet a full ring.
	local n
	wait_until 20 dash_kept_at_least 90 || assert_match "\(9[0-9]|[1-9][0-9]{2,} kept" "$(dash_screen)" "events enough"

	# End shows the oldest events as a full page, down to the first probe.
	dash_keys End
	dash_wait 3 "scrolled back"
	local screen rows
	screen=$(dash_screen)
	rows=$(sed -n '3,39p' <<<"$screen" | grep -cE '^[0-9:.]+ #[0-9]+ ') || true
	assert_eq 37 "$rows" "End: a full page of events"
	assert_match "#1 +[a-z]+ " "$(sed -n 39p <<<"$screen")" "the oldest event at the bottom"

	# Scrolled back, new events do not move what is on screen.
	dash_keys Home
	dash_wait_gone 3 "scrolled back"
	dash_keys NPage
	dash_wait 3 "scrolled back"
	local page again seen
	page=$(dash_screen | sed -n '3,39p')
	[[ $(dash_screen) =~ \(([0-9]+)\ kept ]] || assert_match "\([0-9]+ kept" "$(dash_screen)" "the kept count is shown"
	seen=${BASH_REMATCH[1]}
	wait_until 10 dash_kept_at_least $((seen + 14)) || assert_match "kept" "$(dash_screen)" "new events came"
	again=$(dash_screen | sed -n '3,39p')
	assert_eq "$page" "$again" "the page read stays put while new events come"
	assert_match "scrolled back (3[89]|[4-9][0-9]|[0-9]{3})" "$(dash_screen)" "the offset from the newest grew"

	# PgUp goes a page up from what is on screen; Home follows the newest again.
	dash_keys PPage
	dash_keys Home
	dash_wait_gone 3 "scrolled back"
	n=$(dash_screen | sed -n '3,39p' | grep -cE '^[0-9:.]+ #[0-9]+ ') || true
	assert_eq 37 "$n" "the newest page is full"
}

test_dashboard_slots_against_usable_and_incident_at_80x24() {
	require_pgpulse
	# 16 of the 17 usable slots held; the probe itself is the 17th.
	hold_connections 16 harness_fill
	dash_start -- --interval 0.5 "$DASH_TARGET"
	dash_wait 15 "culprit: harness_fill"
	local screen colored
	screen=$(dash_screen)
	assert_match "in use 17 / 20 max_connections \(3 reserved, 17 usable\)" "$screen" "17 in use"
	assert_match "\] 100%  0 left" "$screen" "percent of the usable slots, and what is left"
	colored=$(dash_tmux capture-pane -e -p -t dash)
	assert_match $'\e\\[31m 100%  0 left' "$colored" "critical (red) at >= 95% of usable"

	# At 80x24 an incident keeps the banner, advice, Slots with the culprit
	# and Latency; what does not fit is named.
	dash_tmux resize-window -t dash -x 80 -y 24
	hold_connections 1 harness_more
	dash_wait 15 "MAX_CLIENTS INCIDENT"
	screen=$(dash_screen)
	assert_match "limit reserved_slots +\(SQLSTATE 53300\): remaining" "$(tr '\n' ' ' <<<"$screen")" "SQLSTATE apart from the limit"
	assert_contains "$screen" "advice: only reserved" "advice"
	assert_contains "$screen" "─ Slots" "Slots"
	assert_contains "$screen" "culprit: harness_fill" "the culprit"
	assert_contains "$screen" "─ Latency" "Latency"
	assert_match "hidden: [a-z, ]*server[a-z, ]* \(enlarge the terminal\)" "$screen" "the hidden panels are named"
	assert_match "q quit .* \? help" "$screen" "hints"
	assert_not_contains "$screen" "sslmode=verify-full&sslrootcert" "the long title is clipped..."
	assert_match "appdb\?sslmode=[a-z-]*… [0-9:]{8}" "$screen" "...with an ellipsis"

	# 100x30: Slots and Latency in full come first; the rest is named.
	dash_tmux resize-window -t dash -x 100 -y 30
	wait_until 3 dash_slots_and_latency_in_full || true
	screen=$(dash_screen)
	assert_contains "$screen" " held application" "Slots in full at 100x30"
	assert_match "auth +[0-9.]+ m?s" "$screen" "Latency in full at 100x30"
	assert_match "hidden: server, timeouts, tls, counters.* \(enlarge the terminal\)" "$screen" "what does not fit at 100x30 is named"
	release_connections harness_more
	release_connections harness_fill
}

test_dashboard_help_fits_and_scrolls() {
	require_pgpulse
	dash_start -- "$DASH_TARGET"
	dash_wait 15 "PostgreSQL 15"
	dash_type '?'
	dash_wait 3 "pgpulse keys"
	local screen
	screen=$(dash_screen)
	# The key column is as wide as the longest label; long lines wrap whole.
	assert_match "│ PgUp PgDn Home End  scroll the events" "$screen" "the longest key label has its gap"
	assert_contains "$screen" "table)" "a wrapped description keeps its end"
	assert_contains "$screen" "close it)" "the last description keeps its end"
	assert_contains "$screen" "any key closes this help" "all of it fits at 120x40"
	dash_type x
	dash_wait_gone 3 "pgpulse keys"

	# 60x15: what fits, and Down/PgDn bring the rest.
	dash_tmux resize-window -t dash -x 60 -y 15
	dash_type '?'
	dash_wait 3 "pgpulse keys"
	dash_wait 3 "more: Down/PgDn"
	assert_not_contains "$(dash_screen)" "│ Ctrl-L" "the last keys are below"
	dash_keys NPage
	dash_keys NPage
	dash_keys NPage
	dash_wait 3 "│ Ctrl-L"
	dash_wait 3 "Up/PgUp: back up"
	assert_contains "$(dash_screen)" "close it)" "the end of the help"
	dash_keys Up
	dash_wait 3 "more: Down/PgDn"
	dash_keys Escape
	dash_wait_gone 3 "pgpulse keys"
}

test_dashboard_labels_and_footer() {
	require_pgpulse
	dash_start -- --interval 0.5 "$DASH_TARGET" "host=127.0.0.1 port=$REFUSED_PORT user=app dbname=postgres"
	dash_wait 5 "2 targets"
	wait_until 15 dash_matches "1 up  1 down  0 degraded" ||
		assert_match "1 up  1 down  0 degraded" "$(dash_screen)" "the header counts up, down, degraded"

	# A key's feedback clears on the next key, or by itself after ~3 s.
	dash_type r
	dash_wait 3 "latency and availability reset"
	dash_keys Down
	dash_wait_gone 2 "latency and availability reset" "the next key clears the feedback"
	dash_type p
	dash_wait 3 "probing paused"
	dash_wait_gone 6 "probing paused" "feedback clears after ~3 s"
	dash_type p
	dash_wait_gone 3 "PAUSED"

	# 70 columns: the least important hints go, "? help" stays.
	dash_tmux resize-window -t dash -x 70 -y 24
	dash_wait 3 "? help"
	local last
	last=$(dash_screen | tail -1)
	assert_match "q quit .*: prompt +\? help" "$last" "help and quit hints at 70 columns"

	# Narrow probe lines drop whole phases: no number is cut.
	dash_tmux resize-window -t dash -x 90 -y 30
	dash_wait 3 "? help"
	local line checked=0
	while IFS= read -r line; do
		[[ $line =~ \#[0-9]+\ +ok\  ]] || continue
		assert_match "(close [0-9]+\.[0-9]{2}| …) *$" "$line" "a probe line ends on a whole field"
		checked=$((checked + 1))
	done <<<"$(dash_screen)"
	assert_ne 0 "$checked" "probe lines were on screen to check"

	# ASCII locale: clipped text ends in "~".
	dash_stop
	dash_start LANG=C -- "$DASH_TARGET"
	dash_tmux resize-window -t dash -x 80 -y 24
	dash_wait 15 "Latency"
	assert_match "appdb\?sslmode=[a-z-]*~ [0-9:]{8}" "$(dash_screen)" "ASCII ellipsis"
}

# -W asks on the terminal, echo off, like psql; the answer serves every
# target that carries no password, and shows nowhere.
test_password_prompt_on_the_terminal() {
	require_pgpulse
	dash_start PGPASSFILE=/dev/null -- -W "host=127.0.0.1 port=$PG_PORT user=app dbname=appdb"
	dash_wait 10 "Password:" "asks for the password"
	dash_type "$APP_PASSWORD"
	assert_not_contains "$(dash_screen)" "$APP_PASSWORD" "not echoed while typed"
	dash_keys Enter
	dash_wait 15 "PostgreSQL 15" "the answer lets the probe in"
	local screen pid
	screen=$(dash_screen)
	assert_contains "$screen" " UP " "state UP"
	assert_not_contains "$screen" "$APP_PASSWORD" "no password on screen"
	pid=$(dash_pid)
	assert_not_contains "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "$APP_PASSWORD" "not in argv"
	dash_type q
	wait_until 5 dash_exited
	assert_eq 0 "$(dash_exit_status)" "q exits 0"

	# Without -W and without a password: the advice names -W.
	run_cmd env PGPASSFILE=/dev/null "$PGPULSE" check "host=127.0.0.1 port=$PG_PORT user=app dbname=appdb"
	assert_eq 2 "$status" "no password: critical"
	assert_contains "$output" "pass -W to be asked for it" "fe_sendauth advice mentions -W"

	# No terminal to ask on: a usage error that says what to do instead.
	run_cmd setsid -w "$PGPULSE" check -W "host=127.0.0.1 port=$PG_PORT user=app dbname=appdb" </dev/null
	assert_eq 3 "$status" "no terminal: usage error"
	assert_match "^PGPULSE UNKNOWN - -W asks for the password on the terminal" "$output" "check says UNKNOWN"
	assert_contains "$stderr" "~/.pgpass or PGPASSWORD" "says what to do instead"
}

# Superusers' sessions reach into the reserved slots: the prompt and the
# dashboard say "over by N" by one rule, never a negative count.
test_slots_over_the_usable_ones_agree() {
	require_pgpulse
	local su="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
	hold_connections 17 harness_over
	run_cmd "$PGPULSE" shell -c "slots" "$su"
	assert_match "slots +18 of 17 usable in use, over by 1 \(max_connections 20, 3 reserved\)" "$output" "the prompt: over by 1"
	assert_not_contains "$output" "-1 left" "no negative count"

	dash_start -- --interval 0.5 "$su"
	dash_wait 15 "max_connections" "the slots panel"
	dash_wait 10 "106%  over by 1" "the dashboard: the same rule"
	assert_not_contains "$(dash_screen)" "0 left" "not '0 left' beside 106%"
	release_connections harness_over
}

# r says what it resets, and after it the banner, the counters and the
# prompt's errors count from the same moment.
test_reset_makes_every_view_agree() {
	require_pgpulse
	hold_connections 17 harness_fill
	dash_start -- --interval 0.2 --no-backoff "$DASH_TARGET"
	dash_wait 10 "MAX_CLIENTS INCIDENT"
	wait_until 10 dash_matches "failed [3-9]" || true
	dash_type r
	dash_wait 3 "log, events and incidents kept" "the status line says what r reset"
	dash_wait 3 "since the reset at" "the counters say since when"
	dash_wait 5 "since the reset)" "the banner counts since the reset too"
	local screen banner_since failed
	screen=$(dash_screen)
	[[ $(tr '\n' ' ' <<<"$screen") =~ probes\ failed\ \(([0-9]+)\ since\ the\ reset\) ]] && banner_since=${BASH_REMATCH[1]}
	[[ $screen =~ failed\ ([0-9]+)\ \ since\ the\ reset ]] && failed=${BASH_REMATCH[1]}
	# probes go on between the two reads: the same order of numbers, not more apart than a probe or two
	assert_ne "" "${banner_since:-}" "the banner's count since the reset (screen: $screen)"
	assert_ne "" "${failed:-}" "the counters' failures since the reset"
	((failed - banner_since <= 2 && banner_since - failed <= 2)) || assert_eq "$banner_since" "$failed" "banner and counters agree"

	dash_type p
	dash_wait 3 "PAUSED"
	dash_type :
	dash_wait 5 "pgpulse prompt"
	dash_type "errors"
	dash_keys Enter
	dash_wait 5 "failed since the reset at" "errors counts since the reset"
	screen=$(dash_screen)
	assert_match "earlier failures?, before the reset, not listed" "$screen" "older failures are not listed as if counted"
	dash_keys C-d
	dash_wait 5 "Latency"
	dash_type '?'
	dash_wait 3 "pgpulse keys"
	assert_match "reset counters, failures by class, latency" "$(dash_screen)" "the help says what r resets"
	release_connections harness_fill
}

# The times of the lines in the log, top to bottom (newest first).
dash_log_times() {
	dash_screen | grep -oE '^[0-9]{2}:[0-9]{2}:[0-9]{2} ' | tr -d ' '
}

# Non-increasing top to bottom, and at least $1 lines of them.
dash_log_in_order() {
	local prev=99:99:99 t n=0
	for t in $(dash_log_times); do
		[[ $t > $prev ]] && return 2
		prev=$t n=$((n + 1))
	done
	((n >= $1))
}

# One clock per view: a slow failure (silent server, 2 s deadline) is listed
# when it ends, among quick ones, and stamped with that time too.
test_probe_log_stamped_by_completion() {
	require_pgpulse
	dash_start -- --interval 0.3 --no-backoff \
		"slow=host=127.0.0.1 port=$FAKE_SILENT_PORT user=app dbname=postgres connect_timeout=2" \
		"quick=host=127.0.0.1 port=$REFUSED_PORT user=app dbname=postgres"
	dash_wait 5 "2 targets"
	dash_wait 15 "timeout" "the slow target times out"
	# a few slow failures among many quick ones
	wait_until 10 dash_matches "slow .*timeout(.|$'\n')*slow .*timeout" || true
	local rc=0
	dash_log_in_order 6 || rc=$?
	assert_eq 0 "$rc" "times run newest first, in order (log: $(dash_log_times | tr '\n' ' '))"
	assert_match "slow +#[0-9]+ +FAIL timeout" "$(dash_screen)" "a slow failure among them"
}

# The holders' application column takes the room the panel has, not 12.
test_holders_application_column_uses_the_width() {
	require_pgpulse
	hold_connections 3 reporting-worker-7 app
	dash_start -- --interval 0.5 "$DASH_TARGET"
	dash_wait 15 " held application" "the holders' table"
	dash_wait 10 "reporting-worker-7" "the whole name where the panel has room"
	assert_match " +3 reporting-worker-7 +app@127\.0\.0\.1 " "$(dash_screen)" "aligned: held, application, user@client"
	# narrower: cut to what fits, never below 12 characters
	dash_tmux resize-window -t dash -x 100 -y 40
	wait_until 5 dash_matches " +3 reporting-wor[a-z0-9-]* +app@" || true
	assert_match " +3 reporting-wor[a-z0-9-]* +app@" "$(dash_screen)" "at 100 columns (one column of panels) still whole or at least 12 characters"
	release_connections reporting-worker-7
}

# Targets are told apart in the table: by name, else by what differs.
test_table_tells_targets_apart() {
	require_pgpulse
	dash_start -- --interval 0.5 \
		"host=127.0.0.1 port=$PG_PORT user=app password=$APP_PASSWORD dbname=appdb" \
		"host=127.0.0.1 port=$PG_PORT user=app password=$APP_PASSWORD dbname=postgres" \
		"pooler=host=127.0.0.1 port=$BOUNCER_PORT user=app password=$APP_PASSWORD dbname=appdb"
	dash_wait 5 "3 targets"
	local screen
	screen=$(dash_screen)
	assert_match "1  127\.0\.0\.1:$PG_PORT/appdb +[A-Z]" "$screen" "the first by its database"
	assert_match "2  127\.0\.0\.1:$PG_PORT/postgres +[A-Z]" "$screen" "the second by its database"
	assert_match "3  pooler +[A-Z]" "$screen" "a named target by its name alone"
	assert_not_contains "$screen" "$APP_PASSWORD" "no password"
}
