/*
 * user_groups.h — the groups a user belongs to, for queue ACLs (YARN's
 * hadoop.security.group.mapping with the Unix shell mapping), as this
 * host's name service knows them (passwd and group databases).
 *
 * Answers are cached for a few minutes (YARN's groups cache), so a
 * submission costs a name-service lookup at most once per user and
 * period; an unknown user simply has no groups.
 */
#ifndef WEFT_RM_USER_GROUPS_H
#define WEFT_RM_USER_GROUPS_H

#include <stdint.h>

struct user_groups;

struct user_groups *user_groups_new(int64_t cache_ms);
void user_groups_free(struct user_groups *ug);
/* RET the number of groups of user, *groups pointing at their names
 * (valid until the next call). */
int user_groups_get(struct user_groups *ug, const char *user, const char *const **groups);

#endif
