/*
 * ringbuf.c - a lock-free ring buffer for the quillmap sampler
 *
 * Copyright (C) 2014-2021 Odile Varga and the quillmap contributors.
 *
 * This program is free software; you can redistribute it and/or modify
 * it under the terms set out in the COPYING file at the top of the
 * quillmap source tree.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * COPYING file for more details.
 */

#include <stdatomic.h>
#include <stddef.h>

struct ringbuf {
    _Atomic size_t head, tail;
    size_t mask;
    void **slot;
};
