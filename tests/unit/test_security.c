/*
 * test_security.c — the secret file checks, request signatures, AM tokens
 * and container tokens, each with the tampering it must catch.
 */
#include "weft_config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/security.h"
#include "testlib.h"

#define NOW         1700000000000LL
#define SECRET_TEXT "0123456789abcdef0123456789abcdef"

static char tmpdir[256];
static struct secret *secret;

static void setup(void)
{
	testlib_mkdtemp_into(tmpdir, sizeof tmpdir, "security");
	secret = secret_from_bytes(SECRET_TEXT, strlen(SECRET_TEXT));
}

static void teardown(void)
{
	secret_free(secret);
	ck_assert_int_eq(testlib_rmtree(tmpdir), 0);
}

/* Write a file with the given content and mode into tmpdir. */
static char *write_file(const char *name, const char *content, mode_t mode)
{
	char *path;
	int fd;

	ck_assert_int_gt(asprintf(&path, "%s/%s", tmpdir, name), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* ---------------- secret files ---------------- */

START_TEST(test_secret_load_good)
{
	char *path = write_file("secret", SECRET_TEXT "\n\n  ", 0600);
	char *cause = NULL;
	struct secret *s = secret_load(path, &cause);
	char *a, *b;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(cause);
	/* Trailing whitespace is not part of the key: same signatures as the
	 * bare text. */
	a = security_sign_request(s, "POST", "/x", "b", 1, NOW);
	b = security_sign_request(secret, "POST", "/x", "b", 1, NOW);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	secret_free(s);
	free(path);
}
END_TEST

START_TEST(test_secret_load_group_readable)
{
	static const mode_t modes[] = {0640, 0604, 0620, 0602, 0660, 0644, 0610};
	size_t i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		char *path = write_file("secret", SECRET_TEXT, modes[i]);
		char *cause = NULL, *expect;

		ck_assert_ptr_null(secret_load(path, &cause));
		ck_assert_ptr_nonnull(cause);
		ck_assert_int_gt(asprintf(&expect,
		                          "%s: must not be readable by group or others (chmod 600)",
		                          path),
		                 0);
		ck_assert_str_eq(cause, expect);
		free(expect);
		free(cause);
		free(path);
	}
}
END_TEST

START_TEST(test_secret_load_short)
{
	char *path = write_file("secret", "0123456789abcde\n\n\n\n\n", 0600); /* 15 bytes */
	char *cause = NULL;
	struct secret *s;

	ck_assert_ptr_null(secret_load(path, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_nonnull(strstr(cause, path));
	ck_assert_ptr_nonnull(strstr(cause, "short"));
	free(cause);
	free(path);

	/* Exactly 16 bytes, owner read-only: accepted. */
	path = write_file("secret", "0123456789abcdef", 0400);
	s = secret_load(path, &cause);
	ck_assert_ptr_nonnull(s);
	secret_free(s);
	free(path);
}
END_TEST

START_TEST(test_secret_load_missing_and_dir)
{
	char *path, *cause = NULL;

	ck_assert_int_gt(asprintf(&path, "%s/none", tmpdir), 0);
	ck_assert_ptr_null(secret_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	ck_assert_ptr_nonnull(strstr(cause, path));
	free(cause);
	free(path);

	cause = NULL;
	chmod(tmpdir, 0700);
	ck_assert_ptr_null(secret_load(tmpdir, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "not a regular file"));
	free(cause);

	/* A FIFO is refused without blocking on it. */
	cause = NULL;
	ck_assert_int_gt(asprintf(&path, "%s/fifo", tmpdir), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_ptr_null(secret_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "not a regular file"));
	free(cause);
	free(path);
}
END_TEST

START_TEST(test_secret_create)
{
	char *path, *cause = NULL, *again;
	struct secret *s;
	struct stat st;
	FILE *f;
	char first[128] = "", second[128] = "";

	ck_assert_int_gt(asprintf(&path, "%s/new-secret", tmpdir), 0);
	ck_assert_int_eq(secret_create(path, &cause), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, 65); /* 64 hex + newline */
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(first, sizeof first, f));
	fclose(f);
	s = secret_load(path, &cause);
	ck_assert_ptr_nonnull(s);
	secret_free(s);

	/* An existing file is kept as it is. */
	ck_assert_int_eq(secret_create(path, &cause), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(second, sizeof second, f));
	fclose(f);
	ck_assert_str_eq(first, second);

	ck_assert_int_gt(asprintf(&again, "%s/no/such/dir/secret", tmpdir), 0);
	ck_assert_int_eq(secret_create(again, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	free(again);
	free(path);
}
END_TEST

/* ---------------- primitives ---------------- */

START_TEST(test_hmac_vector)
{
	char out[65];

	/* RFC 4231 test case 2. */
	security_hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, out);
	ck_assert_str_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(test_equal_and_random)
{
	char *a = security_random_hex(16), *b = security_random_hex(16);
	size_t i;

	ck_assert(security_equal("abc", "abc"));
	ck_assert(!security_equal("abc", "abd"));
	ck_assert(!security_equal("abc", "abcd"));
	ck_assert(!security_equal("", "a"));
	ck_assert(security_equal("", ""));
	ck_assert_uint_eq(strlen(a), 32);
	for (i = 0; i < 32; i++)
		ck_assert_ptr_nonnull(strchr("0123456789abcdef", a[i]));
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

/* ---------------- request signatures ---------------- */

START_TEST(test_request_good)
{
	const char *body = "{\"nodeId\":\"h:1\"}";
	char *v = security_sign_request(secret, "POST", "/rpc/node/heartbeat", body, strlen(body),
	                                NOW);
	char *cause = NULL;

	ck_assert_int_eq(strncmp(v, "1700000000000:", 14), 0);
	ck_assert_uint_eq(strlen(v), 14 + 64);
	ck_assert_int_eq(security_verify_request(secret, v, "POST", "/rpc/node/heartbeat", body,
	                                         strlen(body), NOW + 1000, &cause),
	                 0);
	/* Just inside the skew window either side. */
	ck_assert_int_eq(security_verify_request(secret, v, "POST", "/rpc/node/heartbeat", body,
	                                         strlen(body), NOW + SECURITY_AUTH_SKEW_MS, &cause),
	                 0);
	ck_assert_int_eq(security_verify_request(secret, v, "POST", "/rpc/node/heartbeat", body,
	                                         strlen(body), NOW - SECURITY_AUTH_SKEW_MS, &cause),
	                 0);
	ck_assert_ptr_null(cause);
	free(v);

	/* Empty body. */
	v = security_sign_request(secret, "GET", "/x", NULL, 0, NOW);
	ck_assert_int_eq(security_verify_request(secret, v, "GET", "/x", "", 0, NOW, &cause), 0);
	free(v);
}
END_TEST

/* Expect verify to fail with a cause containing want. */
static void expect_request_fail(const char *header, const char *method, const char *path,
                                const char *body, int64_t now, const char *want)
{
	char *cause = NULL;

	ck_assert_int_eq(security_verify_request(secret, header, method, path, body,
	                                         body ? strlen(body) : 0, now, &cause),
	                 -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, want) != NULL, "cause '%s' lacks '%s'", cause, want);
	free(cause);
}

START_TEST(test_request_tampered)
{
	const char *body = "{\"memoryMB\":1024}";
	char *v = security_sign_request(secret, "POST", "/rpc/node/register", body, strlen(body),
	                                NOW);
	struct secret *other = secret_from_bytes("another-secret-of-16+", 21);
	char *w =
	        security_sign_request(other, "POST", "/rpc/node/register", body, strlen(body), NOW);

	expect_request_fail(v, "POST", "/rpc/node/register", "{\"memoryMB\":9999}", NOW,
	                    "signature");
	expect_request_fail(v, "POST", "/rpc/node/heartbeat", body, NOW, "signature");
	expect_request_fail(v, "PUT", "/rpc/node/register", body, NOW, "signature");
	expect_request_fail(w, "POST", "/rpc/node/register", body, NOW, "signature");
	/* Same signature with a forged timestamp. */
	v[12] = '1';
	expect_request_fail(v, "POST", "/rpc/node/register", body, NOW, "signature");
	free(v);
	free(w);
	secret_free(other);
}
END_TEST

START_TEST(test_request_stale_and_future)
{
	const char *body = "x";
	char *v = security_sign_request(secret, "POST", "/p", body, 1, NOW);

	expect_request_fail(v, "POST", "/p", body, NOW + SECURITY_AUTH_SKEW_MS + 1, "clock");
	expect_request_fail(v, "POST", "/p", body, NOW - SECURITY_AUTH_SKEW_MS - 1, "clock");
	free(v);
}
END_TEST

START_TEST(test_request_garbage)
{
	static const char *bad[] = {
	        "",
	        "garbage",
	        "1700000000000",
	        "1700000000000:",
	        ":5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	        "-1700000000000:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	        " 1700000000000:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	        "1700000000000:5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843",
	        "1700000000000:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec384",
	        "1700000000000:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38431",
	        "1700000000000:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 ",
	        ("99999999999999999999999:"
	         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964"
	         "ec3843"), /* one string, split for the line width */
	};
	size_t i;
	char *cause = NULL;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_request_fail(bad[i], "POST", "/p", "x", NOW, "X-Weft-Auth");
	ck_assert_int_eq(security_verify_request(secret, NULL, "POST", "/p", "x", 1, NOW, &cause),
	                 -1);
	ck_assert_ptr_nonnull(strstr(cause, "missing"));
	free(cause);
}
END_TEST

/* ---------------- AM tokens ---------------- */

START_TEST(test_am_token_round_trip)
{
	const char *id = "appattempt_1700000000000_0001_000002";
	char *t = security_am_token(secret, id);
	char out[WEFT_ID_MAX], *cause = NULL;

	ck_assert_int_eq(strncmp(t, id, strlen(id)), 0);
	ck_assert_int_eq(t[strlen(id)], ':');
	ck_assert_int_eq(security_verify_am_token(secret, t, out, &cause), 0);
	ck_assert_str_eq(out, id);
	free(t);
}
END_TEST

START_TEST(test_am_token_tampered)
{
	const char *id = "appattempt_1700000000000_0001_000001";
	char *t = security_am_token(secret, id);
	char *other = security_am_token(secret, "appattempt_1700000000000_0001_000002");
	char *forged, out[WEFT_ID_MAX], *cause = NULL;
	static const char *bad[] = {"",
	                            "x",
	                            ":",
	                            "appattempt_1700000000000_0001_000001",
	                            "appattempt_1700000000000_0001_000001:",
	                            "application_1700000000000_0001:00",
	                            "garbage:garbage"};
	size_t i;

	/* Attempt 2's signature on attempt 1's id. */
	ck_assert_int_gt(asprintf(&forged, "%s%s", id, strchr(other, ':')), 0);
	ck_assert_int_eq(security_verify_am_token(secret, forged, out, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "signature"));
	free(cause);
	free(forged);

	/* One flipped hex digit. */
	t[strlen(t) - 1] = t[strlen(t) - 1] == '0' ? '1' : '0';
	cause = NULL;
	ck_assert_int_eq(security_verify_am_token(secret, t, out, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		ck_assert_msg(security_verify_am_token(secret, bad[i], out, &cause) == -1, "%s",
		              bad[i]);
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
	cause = NULL;
	ck_assert_int_eq(security_verify_am_token(secret, NULL, out, &cause), -1);
	free(cause);
	free(t);
	free(other);
}
END_TEST

/* ---------------- container tokens ---------------- */

static struct container_token sample_token(void)
{
	struct container_token tok;

	memset(&tok, 0, sizeof tok);
	strcpy(tok.container_id, "container_1700000000000_0001_01_000002");
	strcpy(tok.node_id, "node1.example.com:8041");
	strcpy(tok.user, "alice");
	tok.resource = weft_resource(2048, 2);
	tok.expiry_ms = NOW + 600000;
	tok.key_id = 5;
	return tok;
}

static const int64_t keys[] = {5, 4};

START_TEST(test_container_token_good)
{
	struct container_token tok = sample_token(), out;
	char *text = security_container_token_sign(secret, &tok), *cause = NULL;
	const char *dot = strchr(text, '.');
	size_t i;

	ck_assert_ptr_nonnull(dot);
	for (i = 0; text + i < dot; i++) /* base64url, no padding */
		ck_assert_ptr_nonnull(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                             "0123456789-_",
		                             text[i]));
	ck_assert_uint_eq(strlen(dot + 1), 64);
	memset(&out, 0xff, sizeof out);
	ck_assert_int_eq(security_container_token_verify(secret, text, keys, 2,
	                                                 "node1.example.com:8041", NOW, &out,
	                                                 &cause),
	                 0);
	ck_assert_ptr_null(cause);
	ck_assert_str_eq(out.container_id, tok.container_id);
	ck_assert_str_eq(out.node_id, tok.node_id);
	ck_assert_str_eq(out.user, "alice");
	ck_assert_int_eq(out.resource.memory_mb, 2048);
	ck_assert_int_eq(out.resource.vcores, 2);
	ck_assert_int_eq(out.expiry_ms, NOW + 600000);
	ck_assert_int_eq(out.key_id, 5);

	/* The previous key id stays valid while it is listed. */
	tok.key_id = 4;
	free(text);
	text = security_container_token_sign(secret, &tok);
	ck_assert_int_eq(security_container_token_verify(secret, text, keys, 2,
	                                                 "node1.example.com:8041", NOW, &out,
	                                                 &cause),
	                 0);
	free(text);
}
END_TEST

/* A token read without its key (weft-sls routes calls by its node). */
START_TEST(test_container_token_peek)
{
	struct container_token tok = sample_token(), out;
	char *text = security_container_token_sign(secret, &tok), *cause = NULL;

	ck_assert_int_eq(security_container_token_peek(text, &out, &cause), 0);
	ck_assert_str_eq(out.node_id, "node1.example.com:8041");
	ck_assert_str_eq(out.container_id, tok.container_id);
	ck_assert_int_eq(out.key_id, 5);
	free(text);
	ck_assert_int_eq(security_container_token_peek("nodot", &out, &cause), -1);
	ck_assert_str_eq(cause, "malformed container token");
	free(cause);
	/* base64url of {"keyId":1}: the other fields are missing. */
	ck_assert_int_eq(security_container_token_peek("eyJrZXlJZCI6MX0.00", &out, &cause), -1);
	ck_assert_str_eq(cause, "container token: containerId: missing");
	free(cause);
}
END_TEST

/* Expect a container token to be refused with a cause containing want. */
static void expect_token_fail(const char *text, const char *node, int64_t now, const char *want)
{
	struct container_token out;
	char *cause = NULL;

	ck_assert_int_eq(
	        security_container_token_verify(secret, text, keys, 2, node, now, &out, &cause),
	        -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, want) != NULL, "cause '%s' lacks '%s'", cause, want);
	free(cause);
}

START_TEST(test_container_token_tampered)
{
	struct container_token small = sample_token(), big = sample_token();
	char *a, *b, *spliced;

	big.resource = weft_resource(65536, 32);
	a = security_container_token_sign(secret, &small);
	b = security_container_token_sign(secret, &big);
	/* The big grant's payload under the small grant's signature. */
	ck_assert_int_gt(asprintf(&spliced, "%.*s%s", (int)(strchr(b, '.') - b), b, strchr(a, '.')),
	                 0);
	expect_token_fail(spliced, small.node_id, NOW, "signature");
	/* A flipped payload character. */
	a[3] = a[3] == 'A' ? 'B' : 'A';
	expect_token_fail(a, small.node_id, NOW, "container token");
	free(spliced);
	free(a);
	free(b);

	/* Signed with a different cluster secret. */
	{
		struct secret *other = secret_from_bytes("another-secret-of-16+", 21);
		char *c = security_container_token_sign(other, &small);
		expect_token_fail(c, small.node_id, NOW, "signature");
		free(c);
		secret_free(other);
	}
}
END_TEST

START_TEST(test_container_token_wrong_node)
{
	struct container_token tok = sample_token();
	char *text = security_container_token_sign(secret, &tok);

	expect_token_fail(text, "node2.example.com:8041", NOW,
	                  "container token is for node node1.example.com:8041");
	free(text);
}
END_TEST

START_TEST(test_container_token_expired)
{
	struct container_token tok = sample_token();
	char *text = security_container_token_sign(secret, &tok);

	expect_token_fail(text, tok.node_id, tok.expiry_ms, "container token expired");
	expect_token_fail(text, tok.node_id, tok.expiry_ms + 1, "container token expired");
	free(text);
}
END_TEST

START_TEST(test_container_token_key_not_current)
{
	struct container_token tok = sample_token();
	char *text;

	tok.key_id = 3;
	text = security_container_token_sign(secret, &tok);
	expect_token_fail(text, tok.node_id, NOW, "container token key 3 is not current");
	free(text);
}
END_TEST

START_TEST(test_container_token_garbage)
{
	static const char *bad[] = {
	        "",
	        ".",
	        "abc",
	        "abc.",
	        ".0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	        "e30.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", /* {} */
	        "e30=.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	        "e3+.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	        "a.b.c",
	        "bm90IGpzb24.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	        "WzFd.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", /* [1] */
	};
	size_t i;
	struct container_token out;
	char *cause = NULL;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_token_fail(bad[i], "n:1", NOW, "container token");
	ck_assert_int_eq(
	        security_container_token_verify(secret, NULL, keys, 2, "n:1", NOW, &out, &cause),
	        -1);
	free(cause);
}
END_TEST

START_TEST(test_container_token_over_long)
{
	struct container_token tok = sample_token();
	char *text = security_container_token_sign(secret, &tok);
	size_t n = 8192;
	char *big = malloc(n + 1);

	memset(big, 'A', n);
	big[n] = '\0';
	memcpy(big + n - 65, strchr(text, '.'), 65);
	expect_token_fail(big, tok.node_id, NOW, "too long");
	free(big);
	free(text);
}
END_TEST

START_TEST(test_container_token_no_accepted_keys)
{
	struct container_token tok = sample_token(), out;
	char *text = security_container_token_sign(secret, &tok), *cause = NULL;

	ck_assert_int_eq(security_container_token_verify(secret, text, NULL, 0, tok.node_id, NOW,
	                                                 &out, &cause),
	                 -1);
	ck_assert_ptr_nonnull(strstr(cause, "not current"));
	free(cause);
	free(text);
}
END_TEST

static Suite *security_suite(void)
{
	Suite *s = suite_create("security");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_secret_load_good);
	tcase_add_test(tc, test_secret_load_group_readable);
	tcase_add_test(tc, test_secret_load_short);
	tcase_add_test(tc, test_secret_load_missing_and_dir);
	tcase_add_test(tc, test_secret_create);
	tcase_add_test(tc, test_hmac_vector);
	tcase_add_test(tc, test_equal_and_random);
	tcase_add_test(tc, test_request_good);
	tcase_add_test(tc, test_request_tampered);
	tcase_add_test(tc, test_request_stale_and_future);
	tcase_add_test(tc, test_request_garbage);
	tcase_add_test(tc, test_am_token_round_trip);
	tcase_add_test(tc, test_am_token_tampered);
	tcase_add_test(tc, test_container_token_good);
	tcase_add_test(tc, test_container_token_tampered);
	tcase_add_test(tc, test_container_token_wrong_node);
	tcase_add_test(tc, test_container_token_expired);
	tcase_add_test(tc, test_container_token_key_not_current);
	tcase_add_test(tc, test_container_token_garbage);
	tcase_add_test(tc, test_container_token_over_long);
	tcase_add_test(tc, test_container_token_no_accepted_keys);
	tcase_add_test(tc, test_container_token_peek);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(security_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
