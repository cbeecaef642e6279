/*
 * executor_slot.h — the task slots' directories of weft-executor: one per
 * task running at once, under the container's working directory,
 *
 *   WORKDIR/slot_<k>/work         the task's cwd
 *   WORKDIR/slot_<k>/stdout       its stdout
 *   WORKDIR/slot_<k>/stderr       its stderr
 *   WORKDIR/slot_<k>/task.json    a dataflow task's file (its runner reads it)
 *   WORKDIR/slot_<k>/result.json  what the runner wrote back
 *
 * created once and emptied when a task leaves (executor_slot.c).
 */
#ifndef WEFT_EXECUTOR_SLOT_H
#define WEFT_EXECUTOR_SLOT_H

#include "common/proto_task.h"

struct executor_slots;

struct executor_slots *executor_slots_new(const char *work_dir);
/* Remove every slot directory and free. */
void executor_slots_free(struct executor_slots *slots);

/* Take a free slot (creating its directories).  RET its index, or -1 with
 * *cause. */
int executor_slots_take(struct executor_slots *slots, char **cause);
/* A task left slot k: empty it for the next one. */
void executor_slots_give_back(struct executor_slots *slots, int k);
/* The slot's directory (owned by slots). */
const char *executor_slots_dir(const struct executor_slots *slots, int k);

/* Write a dataflow task's file into dir/task.json.  RET 0 / -1 *cause. */
int executor_slot_write_task(const char *dir, const struct proto_task_spec *spec, char **cause);

#endif
