/*
 * callbacks.h - the libmilter callbacks and the engine they share
 */
#ifndef AUTHMILTER_CALLBACKS_H
#define AUTHMILTER_CALLBACKS_H

#include <libmilter/mfapi.h>

#include "engine.h"

extern struct smfiDesc callbacks_desc;

/* callbacks_set_engine - install e as the engine for new connections (the
 * reference is taken over); the previous one is released */
void		callbacks_set_engine(struct engine *e);
/* callbacks_engine - a new reference on the current engine */
struct engine  *callbacks_engine(void);
/* callbacks_active - connections open right now */
int		callbacks_active(void);

#endif
