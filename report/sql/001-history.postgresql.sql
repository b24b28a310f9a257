-- 001-history (PostgreSQL): history records imported from the hosts' history
-- files, and how far each file has been read.  The SQLite twin is
-- 001-history.sqlite.sql; keep both the same columns.
--
-- import_file: one row per (host, file identity); ident is the SHA-256 of
-- the file's first record, so a renamed, rotated or compressed file keeps
-- its progress and a truncated or replaced one starts over.  pos is the
-- byte offset (of the uncompressed stream) up to which records are in
-- history; it moves in the same transaction as the records.
CREATE TABLE import_file (
	id		bigserial PRIMARY KEY,
	host		text NOT NULL,
	ident		text NOT NULL,
	path		text NOT NULL,		-- where it was last read
	dev		bigint NOT NULL,
	ino		bigint NOT NULL,
	pos		bigint NOT NULL DEFAULT 0,
	records		bigint NOT NULL DEFAULT 0,
	skipped		bigint NOT NULL DEFAULT 0,	-- malformed records passed over
	first_seen	bigint NOT NULL,	-- epoch seconds
	updated		bigint NOT NULL,
	UNIQUE (host, ident)
);

-- history: one row per record, the fields as lib/history.h decodes them
-- (text is UTF-8: a byte that is not becomes U+FFFD; raw keeps the exact
-- bytes); dkim and rua hold the values of the record's dkim and rua lines
-- as the file writes them, one per line; adkim, aspf, p, sp, np are the
-- one-letter tag values or NULL.  (file_id, pos) is the last guard
-- against a record stored twice.
CREATE TABLE history (
	file_id		bigint NOT NULL,
	pos		bigint NOT NULL,
	job		text,
	reporter	text,
	received	bigint NOT NULL,
	ipaddr		text,
	from_domain	text,
	mfrom		text,
	dkim		text,
	spf		integer,
	spf_scope	integer,
	pdomain		text,
	policy		integer,
	rua		text,
	pct		integer,
	adkim		text,
	aspf		text,
	p		text,
	sp		text,
	fo		integer,
	align_dkim	integer,
	align_spf	integer,
	arc		integer,
	arc_policy	integer,
	action		integer,
	helo		text,
	discovery	text,
	np		text,
	testing		integer,
	override	text,
	country		text,
	asn		bigint,
	asorg		text,
	raw		bytea NOT NULL,
	PRIMARY KEY (file_id, pos)
);
