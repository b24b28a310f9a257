-- 001-history (SQLite): history records imported from the hosts' history
-- files, and how far each file has been read.  The PostgreSQL twin is
-- 001-history.postgresql.sql; keep both the same columns.
--
-- import_file: one row per (host, file identity); ident is the SHA-256 of
-- the file's first record, so a renamed, rotated or compressed file keeps
-- its progress and a truncated or replaced one starts over.  pos is the
-- byte offset (of the uncompressed stream) up to which records are in
-- history; it moves in the same transaction as the records.
CREATE TABLE import_file (
	id		INTEGER PRIMARY KEY,
	host		TEXT NOT NULL,
	ident		TEXT NOT NULL,
	path		TEXT NOT NULL,		-- where it was last read
	dev		INTEGER NOT NULL,
	ino		INTEGER NOT NULL,
	pos		INTEGER NOT NULL DEFAULT 0,
	records		INTEGER NOT NULL DEFAULT 0,
	skipped		INTEGER NOT NULL DEFAULT 0,	-- malformed records passed over
	first_seen	INTEGER NOT NULL,	-- epoch seconds
	updated		INTEGER NOT NULL,
	UNIQUE (host, ident)
);

-- history: one row per record, the fields as lib/history.h decodes them
-- (text is UTF-8: a byte that is not becomes U+FFFD; raw keeps the exact
-- bytes); dkim and rua hold the values of the record's dkim and rua lines
-- as the file writes them, one per line; adkim, aspf, p, sp, np are the
-- one-letter tag values or NULL.  (file_id, pos) is the last guard
-- against a record stored twice.
CREATE TABLE history (
	file_id		INTEGER NOT NULL,
	pos		INTEGER NOT NULL,
	job		TEXT,
	reporter	TEXT,
	received	INTEGER NOT NULL,
	ipaddr		TEXT,
	from_domain	TEXT,
	mfrom		TEXT,
	dkim		TEXT,
	spf		INTEGER,
	spf_scope	INTEGER,
	pdomain		TEXT,
	policy		INTEGER,
	rua		TEXT,
	pct		INTEGER,
	adkim		TEXT,
	aspf		TEXT,
	p		TEXT,
	sp		TEXT,
	fo		INTEGER,
	align_dkim	INTEGER,
	align_spf	INTEGER,
	arc		INTEGER,
	arc_policy	INTEGER,
	action		INTEGER,
	helo		TEXT,
	discovery	TEXT,
	np		TEXT,
	testing		INTEGER,
	override	TEXT,
	country		TEXT,
	asn		INTEGER,
	asorg		TEXT,
	raw		BLOB NOT NULL,
	PRIMARY KEY (file_id, pos)
);
