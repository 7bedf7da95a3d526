# shellcheck shell=bash
#
# tmux.sh: pgpulse in a detached tmux window, driven like a person would:
# keys in with send-keys, the screen read back with capture-pane. Used by
# t_dashboard.sh and scripts/screenshots. Set TUI_SOCKET (the tmux server's
# socket name, one per user of this file) before calling these.

tui_tmux() {
	tmux -L "$TUI_SOCKET" -f /dev/null "$@"
}

# tui_command PREFIX ARG...: PREFIX followed by each ARG quoted for a shell.
tui_command() {
	local cmd=$1 arg
	shift
	for arg in "$@"; do
		cmd+=" $(printf '%q' "$arg")"
	done
	printf '%s\n' "$cmd"
}

# tui_new SESSION CMD: CMD in a fresh detached 120x40 window.
tui_new() {
	tui_tmux new-session -d -s "$1" -x 120 -y 40 "$2"
}

# tui_screen SESSION [-e]: the window's text (-e: with its colours).
tui_screen() {
	tui_tmux capture-pane "${@:2}" -p -t "$1"
}

tui_matches() {
	[[ $(tui_screen "$1") =~ $2 ]]
}
