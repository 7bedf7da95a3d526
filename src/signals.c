/*
 * signals: the self-pipe. Handlers only write one byte; the loop reads.
 */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int signals_pipe[2] = { -1, -1 };

static void signals_handler(int sig)
{
	int saved = errno;
	char c = sig == SIGWINCH ? SIGNALS_RESIZE
		 : sig == SIGINT ? SIGNALS_INTERRUPT
				 : SIGNALS_STOP;

	if (signals_pipe[1] >= 0 && write(signals_pipe[1], &c, 1) < 0) {
		/* pipe full: a byte is already waiting, which is enough */
	}
	errno = saved;
}

bool signals_init(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };

	if (pipe(signals_pipe) < 0)
		return false;
	for (int i = 0; i < 2; i++) {
		fcntl(signals_pipe[i], F_SETFL, fcntl(signals_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(signals_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signals_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return true;
}

int signals_fd(void)
{
	return signals_pipe[0];
}

int signals_take(void)
{
	char buf[64];
	int kinds = 0;
	ssize_t n;

	while ((n = read(signals_pipe[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			kinds |= buf[i];
	return kinds;
}

void signals_shutdown(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (signals_pipe[i] >= 0)
			close(signals_pipe[i]);
		signals_pipe[i] = -1;
	}
}
