/*
 * test_text.c — the text helpers every program shares (common/utf8.c,
 * common/base64.c, common/hash.c): UTF-8 as RFC 3629 draws it (overlong
 * forms, surrogates and code points past U+10FFFF refused), sanitizing a
 * cut tail, widths on a terminal; base64 and canonical base64url round
 * trips and refusals; FNV-1a's published values and the directory a name
 * goes to.
 */
#include "weft_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/hash.h"
#include "common/utf8.h"

#define U(s) ((const unsigned char *)(s))

START_TEST(test_utf8_char_len)
{
	static const struct {
		const char *bytes;
		size_t n, len;
	} cases[] = {
	        {"a", 1, 1},
	        {"\xc3\xa9", 2, 2},         /* é */
	        {"\xe2\x82\xac", 3, 3},     /* € */
	        {"\xf0\x9f\x98\x80", 4, 4}, /* 😀 */
	        {"\xf4\x8f\xbf\xbf", 4, 4}, /* U+10FFFF */
	        {"", 1, 0},                 /* NUL */
	        {"\xc3", 1, 0},             /* cut */
	        {"\xe2\x82", 2, 0},         /* cut */
	        {"\xc0\xaf", 2, 0},         /* overlong '/' */
	        {"\xe0\x80\xaf", 3, 0},     /* overlong */
	        {"\xed\xa0\x80", 3, 0},     /* a surrogate */
	        {"\xf4\x90\x80\x80", 4, 0}, /* past U+10FFFF */
	        {"\xf5\x80\x80\x80", 4, 0},
	        {"\x80", 1, 0}, /* a continuation byte alone */
	        {"\xc3\x28", 2, 0},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(utf8_char_len(U(cases[i].bytes), cases[i].n) == cases[i].len,
		              "case %zu", i);
	ck_assert(utf8_is_text("plain \xc3\xa9t\xc3\xa9 \xe2\x82\xac\n", 16));
	ck_assert(!utf8_is_text("plain \xc3\xa9t\xc3\xa9 \xe2\x82\xac\n", 14)); /* cut */
	ck_assert(utf8_is_text("", 0));
	ck_assert(!utf8_is_text("a\0b", 3));
	ck_assert(!utf8_is_text("bin\xff", 4));
	ck_assert(!utf8_is_text("\xed\xa0\x80", 3));
}
END_TEST

START_TEST(test_utf8_sanitize)
{
	char a[] = "ok\x01\ttab\n\x7f\xff\xc3\xa9\xc3";
	char b[] = "ok\x01\ttab\n\x7f\xff\xc3\xa9\xc3";
	const char tail[] = "\xa9\x82rest";

	utf8_sanitize(a, sizeof a - 1, UTF8_NO_CONTROLS);
	ck_assert_str_eq(a, "ok?\ttab\n??\xc3\xa9?");
	utf8_sanitize(b, sizeof b - 1, UTF8_KEEP_CONTROLS);
	ck_assert_str_eq(b, "ok\x01\ttab\n\x7f?\xc3\xa9?");
	ck_assert_uint_eq(utf8_cut_start(tail, sizeof tail - 1), 2);
	ck_assert_uint_eq(utf8_cut_start("\x80\x80\x80\x80", 4), 3);
	ck_assert_uint_eq(utf8_cut_start("abc", 3), 0);
	ck_assert_uint_eq(utf8_cut_start("", 0), 0);
	/* "a€b": cutting at 2 or 3 (inside €) keeps "a". */
	ck_assert_uint_eq(utf8_boundary("a\xe2\x82\xac"
	                                "b",
	                                2),
	                  1);
	ck_assert_uint_eq(utf8_boundary("a\xe2\x82\xac"
	                                "b",
	                                3),
	                  1);
	ck_assert_uint_eq(utf8_boundary("a\xe2\x82\xac"
	                                "b",
	                                4),
	                  4);
	ck_assert_uint_eq(utf8_width("a\xc3\xa9\xe2\x82\xac"), 3);
	ck_assert_uint_eq(utf8_width(""), 0);
}
END_TEST

START_TEST(test_base64)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const std[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
	                                  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	const unsigned char bin[] = {0xfb, 0xff, 0x00, 0x3e};
	char *text, *back;
	size_t len;

	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		text = base64_encode(plain[i], strlen(plain[i]));
		ck_assert_str_eq(text, std[i]); /* RFC 4648's test vectors */
		back = base64_decode(text, strlen(text), &len);
		ck_assert_ptr_nonnull(back);
		ck_assert_uint_eq(len, strlen(plain[i]));
		ck_assert_str_eq(back, plain[i]);
		free(text);
		free(back);
		text = base64url_encode(plain[i], strlen(plain[i]));
		ck_assert_str_eq(text, url[i]);
		back = base64url_decode(text, strlen(text), &len);
		ck_assert_ptr_nonnull(back);
		ck_assert_str_eq(back, plain[i]);
		free(text);
		free(back);
	}
	text = base64url_encode(bin, sizeof bin);
	ck_assert_str_eq(text, "-_8APg");
	back = base64url_decode(text, strlen(text), &len);
	ck_assert_uint_eq(len, sizeof bin);
	ck_assert_mem_eq(back, bin, sizeof bin);
	free(text);
	free(back);
	text = base64_encode(bin, sizeof bin);
	ck_assert_str_eq(text, "+/8APg==");
	free(text);

	ck_assert_ptr_null(base64_decode("Zg=", 3, &len));   /* not a multiple of 4 */
	ck_assert_ptr_null(base64_decode("Z!==", 4, &len));  /* not the alphabet */
	ck_assert_ptr_null(base64url_decode("Zh", 2, &len)); /* unused bits set */
	ck_assert_ptr_null(base64url_decode("Z", 1, &len));
	ck_assert_ptr_null(base64url_decode("Zg==", 4, &len)); /* padding */
	ck_assert_ptr_null(base64url_decode("+/8A", 4, &len)); /* the other alphabet */
}
END_TEST

START_TEST(test_hash)
{
	/* FNV-1a's published values. */
	ck_assert_uint_eq(hash_fnv1a32_str(""), 0x811c9dc5u);
	ck_assert_uint_eq(hash_fnv1a32_str("a"), 0xe40c292cu);
	ck_assert_uint_eq(hash_fnv1a32_str("foobar"), 0xbf9cf968u);
	ck_assert(hash_fnv1a64("", 0) == UINT64_C(0xcbf29ce484222325));
	ck_assert(hash_fnv1a64("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
	ck_assert(hash_fnv1a64("foobar", 6) == UINT64_C(0x85944171f73967e8));

	ck_assert_int_eq(hash_dir_index("anything", 0), 0);
	ck_assert_int_eq(hash_dir_index("anything", 1), 0);
	ck_assert_int_eq(hash_dir_index("foobar", 7), (int)(0xbf9cf968u % 7));
	for (int n = 2; n < 9; n++)
		ck_assert_int_lt(hash_dir_index("application_1700000000000_0001", n), n);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("helpers");

	tcase_add_test(tc, test_utf8_char_len);
	tcase_add_test(tc, test_utf8_sanitize);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_hash);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(text_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
