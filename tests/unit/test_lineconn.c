/*
 * test_lineconn.c — line-delimited JSON connections over loopback: a
 * lineserver and lineconn clients on one event loop.  Every wait is
 * bounded (testlib) so that a stuck test fails.
 */
#include "weft_config.h"

#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "testlib.h"

#define MAX_LINE 1024

static struct event_base *base;
static struct lineserver *server;

/* One side of a connection, as its owner sees it. */
struct side {
	struct lineconn *c;
	int messages;
	int next_expected; /* messages carry "n": 0, 1, 2, ... */
	bool in_order;
	int closes;
	char *reason;
	bool echo;            /* answer every message with {"echo": n} */
	bool free_on_message; /* free the connection on the first message */
	bool free_on_close;
};

static struct side server_side; /* the last accepted connection */

static void side_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct side *s = arg;
	struct json_object *n;

	s->messages++;
	if (json_object_object_get_ex(msg, "n", &n)) {
		if (json_object_get_int(n) != s->next_expected)
			s->in_order = false;
		s->next_expected++;
	}
	if (s->echo) {
		struct json_object *reply = json_object_new_object();

		json_object_object_add(reply, "n", json_object_get(n));
		ck_assert_int_eq(lineconn_send(c, reply), 0);
		json_object_put(reply);
	}
	if (s->free_on_message) {
		lineconn_free(c);
		s->c = NULL;
	}
}

static void side_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct side *s = arg;

	ck_assert_ptr_eq(c, s->c);
	s->closes++;
	free(s->reason);
	s->reason = xstrdup(reason);
	if (s->free_on_close) {
		lineconn_free(c);
		s->c = NULL;
	}
}

static void side_init(struct side *s)
{
	free(s->reason);
	memset(s, 0, sizeof *s);
	s->in_order = true;
}

static void accept_cb(struct lineconn *c, void *arg)
{
	/* The previous server-side connection, if any, is done with. */
	if (server_side.c != NULL)
		lineconn_free(server_side.c);
	server_side.c = c;
	lineconn_set_callbacks(c, side_message_cb, side_close_cb, &server_side);
}

static void setup(void)
{
	char *cause = NULL;

	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	memset(&server_side, 0, sizeof server_side);
	side_init(&server_side);
	server = lineserver_new(base, "127.0.0.1", 0, MAX_LINE, accept_cb, NULL, &cause);
	ck_assert_msg(server != NULL, "%s", cause);
	ck_assert_int_gt(lineserver_port(server), 0);
}

static void teardown(void)
{
	if (server_side.c != NULL)
		lineconn_free(server_side.c);
	free(server_side.reason);
	lineserver_free(server);
	event_base_free(base);
}

static struct lineconn *dial(struct side *s)
{
	side_init(s);
	s->c = lineconn_connect(base, "127.0.0.1", lineserver_port(server), MAX_LINE,
	                        side_message_cb, side_close_cb, s);
	ck_assert_ptr_nonnull(s->c);
	return s->c;
}

static struct json_object *message(int n)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "n", json_object_new_int(n));
	json_object_object_add(o, "text", json_object_new_string("line\nbreak / \"quoted\""));
	return o;
}

/* Whether the connection in arg has nothing left to send. */
static bool nothing_pending(void *arg)
{
	return lineconn_pending(arg) == 0;
}

START_TEST(test_both_ways_in_order)
{
	struct side client;
	struct json_object *m;

	memset(&client, 0, sizeof client);
	dial(&client);
	server_side.echo = true;
	for (int i = 0; i < 5; i++) {
		m = message(i);
		ck_assert_int_eq(lineconn_send(client.c, m), 0); /* queued before connect */
		json_object_put(m);
	}
	testlib_run_until_count(base, &client.messages, 5, TESTLIB_WAIT_MS, "five echoes");
	ck_assert_int_eq(server_side.messages, 5);
	ck_assert(server_side.in_order);
	ck_assert(client.in_order);
	ck_assert_ptr_nonnull(strstr(lineconn_peer(server_side.c), "127.0.0.1:"));
	ck_assert_int_eq(strncmp(lineconn_peer(client.c), "127.0.0.1:", 10), 0);
	ck_assert_int_eq(client.closes, 0);
	ck_assert_int_eq(server_side.closes, 0);
	lineconn_free(client.c);
	free(client.reason);
}
END_TEST

START_TEST(test_many_messages)
{
	struct side client;

	memset(&client, 0, sizeof client);
	dial(&client);
	server_side.echo = true;
	for (int i = 0; i < 20000; i++) {
		struct json_object *m = message(i);

		lineconn_send(client.c, m);
		json_object_put(m);
	}
	ck_assert_int_gt(lineconn_pending(client.c), 0);
	testlib_run_until_count(base, &client.messages, 20000, TESTLIB_WAIT_MS, "20000 echoes");
	ck_assert(server_side.in_order);
	ck_assert(client.in_order);
	testlib_run_until(base, nothing_pending, client.c, TESTLIB_WAIT_MS, "the sends to drain");
	ck_assert_int_eq(lineconn_pending(client.c), 0);
	lineconn_free(client.c);
	free(client.reason);
}
END_TEST

START_TEST(test_line_over_cap_closes)
{
	struct side client;
	struct json_object *m = json_object_new_object();
	char *big = xmalloc(MAX_LINE * 3);

	memset(&client, 0, sizeof client);
	dial(&client);
	memset(big, 'x', MAX_LINE * 3 - 1);
	big[MAX_LINE * 3 - 1] = '\0';
	json_object_object_add(m, "blob", json_object_new_string(big));
	free(big);
	lineconn_send(client.c, m);
	json_object_put(m);
	testlib_run_until_count(base, &server_side.closes, 1, TESTLIB_WAIT_MS,
	                        "the server to close");
	ck_assert_int_eq(server_side.messages, 0);
	ck_assert_msg(strstr(server_side.reason, "longer than") != NULL, "%s", server_side.reason);
	/* The other end sees the close too, once. */
	lineconn_free(server_side.c);
	server_side.c = NULL;
	testlib_run_until_count(base, &client.closes, 1, TESTLIB_WAIT_MS, "the client to see it");
	testlib_run_for(base, 50);
	ck_assert_int_eq(client.closes, 1);
	ck_assert_int_eq(lineconn_send(client.c, m = message(1)), -1);
	json_object_put(m);
	lineconn_free(client.c);
	free(client.reason);
}
END_TEST

/* A raw TCP client for bytes lineconn itself would never send. */
static struct bufferevent *raw_dial(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)lineserver_port(server));
	ck_assert_int_eq(bufferevent_socket_connect(bev, (struct sockaddr *)&sin, sizeof sin), 0);
	return bev;
}

START_TEST(test_bad_lines_close)
{
	static const char *const bad[] = {"hello\n", "[1,2]\n", "{\"a\":1} trailing\n", "\"str\"\n",
	                                  "{\"a\":\n"};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct bufferevent *raw = raw_dial();

		if (server_side.c != NULL)
			lineconn_free(server_side.c);
		side_init(&server_side);
		/* A good line first: it is delivered, then the bad one closes. */
		bufferevent_write(raw, "{\"n\":0}\n\r\n  \n", 13);
		bufferevent_write(raw, bad[i], strlen(bad[i]));
		testlib_run_until_count(base, &server_side.closes, 1, TESTLIB_WAIT_MS, bad[i]);
		ck_assert_int_eq(server_side.messages, 1);
		ck_assert_msg(strstr(server_side.reason, "bad message") != NULL, "%s: %s", bad[i],
		              server_side.reason);
		bufferevent_free(raw);
		testlib_run_for(base, 20);
		ck_assert_int_eq(server_side.closes, 1);
	}
}
END_TEST

/* A line arriving in pieces (the reader resumes its search for the
 * newline where it stopped) is delivered whole, once, and so is the next
 * one that shares its last piece. */
START_TEST(test_line_in_pieces)
{
	struct bufferevent *raw = raw_dial();
	char pad[601];
	int i;

	memset(pad, 'p', 600);
	pad[600] = '\0';
	bufferevent_write(raw, "{\"n\":0,\"pad\":\"", strlen("{\"n\":0,\"pad\":\""));
	for (i = 0; i < 6; i++) {
		bufferevent_write(raw, pad + i * 100, 100);
		testlib_run_for(base, 10);
		ck_assert_int_eq(server_side.messages, 0);
	}
	bufferevent_write(raw, "\"}\n{\"n\":1}\n{\"n\":", strlen("\"}\n{\"n\":1}\n{\"n\":"));
	testlib_run_until_count(base, &server_side.messages, 2, TESTLIB_WAIT_MS, "two lines");
	bufferevent_write(raw, "2}\n", 3);
	testlib_run_until_count(base, &server_side.messages, 3, TESTLIB_WAIT_MS, "the third line");
	ck_assert(server_side.in_order);
	ck_assert_int_eq(server_side.closes, 0);
	bufferevent_free(raw);
}
END_TEST

START_TEST(test_unterminated_line_over_cap)
{
	struct bufferevent *raw = raw_dial();
	char *junk = xmalloc(MAX_LINE * 4);

	memset(junk, '{', MAX_LINE * 4);
	bufferevent_write(raw, junk, MAX_LINE * 4); /* never a newline */
	free(junk);
	testlib_run_until_count(base, &server_side.closes, 1, TESTLIB_WAIT_MS,
	                        "the server to give up");
	ck_assert_ptr_nonnull(strstr(server_side.reason, "longer than"));
	bufferevent_free(raw);
}
END_TEST

START_TEST(test_peer_close_once)
{
	struct side client;
	struct json_object *m = message(0);

	memset(&client, 0, sizeof client);
	dial(&client);
	lineconn_send(client.c, m);
	json_object_put(m);
	testlib_run_until_count(base, &server_side.messages, 1, TESTLIB_WAIT_MS,
	                        "the first message");
	lineconn_free(client.c);
	client.c = NULL;
	testlib_run_until_count(base, &server_side.closes, 1, TESTLIB_WAIT_MS,
	                        "the server to see the close");
	ck_assert_ptr_nonnull(strstr(server_side.reason, "closed"));
	testlib_run_for(base, 100);
	ck_assert_int_eq(server_side.closes, 1);
	ck_assert_int_eq(client.closes, 0); /* no callback after lineconn_free */
	free(client.reason);
}
END_TEST

START_TEST(test_free_inside_callbacks)
{
	struct side client;
	struct bufferevent *raw = raw_dial();

	/* Three lines in one read: the first callback frees the connection. */
	server_side.free_on_message = true;
	bufferevent_write(raw, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n", 24);
	testlib_run_until_count(base, &server_side.messages, 1, TESTLIB_WAIT_MS,
	                        "the first message");
	testlib_run_for(base, 50);
	ck_assert_int_eq(server_side.messages, 1);
	ck_assert_int_eq(server_side.closes, 0);
	ck_assert_ptr_null(server_side.c);
	bufferevent_free(raw);

	/* Freeing from the close callback is fine too. */
	side_init(&server_side);
	memset(&client, 0, sizeof client);
	dial(&client);
	client.free_on_close = true;
	{
		struct json_object *m = message(0);

		lineconn_send(client.c, m);
		json_object_put(m);
		testlib_run_until_count(base, &server_side.messages, 1, TESTLIB_WAIT_MS,
		                        "a message");
	}
	lineconn_free(server_side.c);
	server_side.c = NULL;
	testlib_run_until_count(base, &client.closes, 1, TESTLIB_WAIT_MS, "the client close");
	ck_assert_ptr_null(client.c);
	free(client.reason);
}
END_TEST

START_TEST(test_connect_refused)
{
	struct side client;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);

	memset(&client, 0, sizeof client);
	side_init(&client);
	client.c = lineconn_connect(base, "127.0.0.1", port, MAX_LINE, side_message_cb,
	                            side_close_cb, &client);
	ck_assert_int_eq(client.closes, 0); /* never from inside lineconn_connect */
	testlib_run_until_count(base, &client.closes, 1, TESTLIB_WAIT_MS, "the failed connect");
	ck_assert_msg(strstr(client.reason, "refused") != NULL, "%s", client.reason);
	lineconn_free(client.c);

	/* A bad port fails from the loop as well. */
	side_init(&client);
	client.c = lineconn_connect(base, "127.0.0.1", 0, MAX_LINE, side_message_cb, side_close_cb,
	                            &client);
	ck_assert_int_eq(client.closes, 0);
	testlib_run_until_count(base, &client.closes, 1, TESTLIB_WAIT_MS, "the bad port");
	lineconn_free(client.c);

	/* Freed before the failure is reported: no callback at all. */
	side_init(&client);
	client.c = lineconn_connect(base, "127.0.0.1", 0, MAX_LINE, side_message_cb, side_close_cb,
	                            &client);
	lineconn_free(client.c);
	testlib_run_for(base, 50);
	ck_assert_int_eq(client.closes, 0);
	free(client.reason);
}
END_TEST

START_TEST(test_connect_by_name)
{
	struct side client;
	struct json_object *m = message(0);

	memset(&client, 0, sizeof client);
	side_init(&client);
	client.c = lineconn_connect(base, "localhost", lineserver_port(server), MAX_LINE,
	                            side_message_cb, side_close_cb, &client);
	lineconn_send(client.c, m);
	json_object_put(m);
	server_side.echo = true;
	testlib_run_until_count(base, &client.messages, 1, TESTLIB_WAIT_MS,
	                        "an echo over a resolved name");
	lineconn_free(client.c);

	side_init(&client);
	client.c = lineconn_connect(base, "no-such-host.invalid", 1, MAX_LINE, side_message_cb,
	                            side_close_cb, &client);
	testlib_run_until_count(base, &client.closes, 1, TESTLIB_WAIT_MS, "a failed resolution");
	ck_assert_ptr_nonnull(strstr(client.reason, "no-such-host.invalid"));
	lineconn_free(client.c);
	free(client.reason);
}
END_TEST

static Suite *lineconn_suite(void)
{
	Suite *s = suite_create("lineconn");
	TCase *tc = tcase_create("loopback");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_both_ways_in_order);
	tcase_add_test(tc, test_many_messages);
	tcase_add_test(tc, test_line_over_cap_closes);
	tcase_add_test(tc, test_bad_lines_close);
	tcase_add_test(tc, test_unterminated_line_over_cap);
	tcase_add_test(tc, test_line_in_pieces);
	tcase_add_test(tc, test_peer_close_once);
	tcase_add_test(tc, test_free_inside_callbacks);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_connect_by_name);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lineconn_suite());
	int failed;

	log_open("test_lineconn", LOG_LEVEL_WARN, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
