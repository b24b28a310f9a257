-- contrib/keytable.sql - PostgreSQL tables for KeyTable and SigningTable
--
-- authmilter.conf on every signing host:
--   KeyTable      pgsql:dkim_keys:host=db.example.net dbname=mail user=authmilter sslmode=verify-full
--   SigningTable  pgsql:dkim_signing:host=db.example.net dbname=mail user=authmilter sslmode=verify-full
-- (or a postgresql:// URL after "pgsql:TABLE:"; keep the password in
-- ~/.pgpass or PGPASSFILE, not in the configuration file).  The daemon reads
-- both tables at start and on SIGHUP, never per message: a key rotation is
-- one UPDATE, then "systemctl reload authmilter" on each host.  When the
-- database cannot be read, a start fails and a reload keeps the running
-- tables (the log says why).
--
-- The start reads the tables as the user that starts the daemon (root),
-- a reload as UserID (authmilter): name the role with user= in CONNINFO,
-- and keep a password in a passfile= readable by UserID (peer
-- authentication maps the two users to different roles).
--
-- Load with: psql -d mail -f keytable.sql

-- KeyTable: the file form's "NAME DOMAIN:SELECTOR:KEY", one row per line.
-- keyfile is a path to the private key on each signing host (the default
-- and the advice: copy the key files, mode 600, to every host).  It may hold
-- the key itself (PEM or base64 DER) when you choose to keep keys in the
-- database: rotation is then one UPDATE with no file to copy, but anyone
-- who can read this table, its backups or replicas, or the connection, can
-- sign as your domains.  Grant SELECT to the daemon's role only, and use
-- sslmode=verify-full.  A name on several rows signs with every key named
-- (e.g. an RSA and an Ed25519 selector).  domain "%" means the From domain.
CREATE TABLE dkim_keys (
	name		text NOT NULL,
	domain		text NOT NULL,
	selector	text NOT NULL,
	keyfile		text NOT NULL,
	PRIMARY KEY (name, domain, selector)
);

-- SigningTable: the refile: form, "PATTERN KEYNAME[,KEYNAME...][:SIGNER]".
-- pattern matches user@domain with "*" wildcards; rows are tried in ord
-- order (then pattern), the first match signs unless MultipleSignatures.
CREATE TABLE dkim_signing (
	pattern		text NOT NULL,
	keyname		text NOT NULL,
	ord		integer NOT NULL DEFAULT 0,
	PRIMARY KEY (pattern, keyname)
);

-- the daemon's role needs nothing but SELECT
-- CREATE ROLE authmilter LOGIN;
-- GRANT SELECT ON dkim_keys, dkim_signing TO authmilter;

-- example rows
-- INSERT INTO dkim_keys VALUES
--	('example', 'example.com', 'mail2026', '/etc/authmilter/keys/example.com/mail2026.private');
-- INSERT INTO dkim_signing VALUES ('*@example.com', 'example', 10), ('*@*.example.com', 'example', 20);
-- a rotation: publish the new selector in DNS, install the new key file on
-- every host, then
-- UPDATE dkim_keys SET selector = 'mail2027',
--	keyfile = '/etc/authmilter/keys/example.com/mail2027.private' WHERE name = 'example';
-- and reload each host.
