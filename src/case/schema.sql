-- The case database (case.sqlite): every production added to a case, its files, and
-- what was read from them. backchannel creates it; the README describes each table.
-- Texts of lists are joined with "; " as in the CSV reports.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per production, in the order they were added.
CREATE TABLE productions (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    added_at       TEXT NOT NULL,   -- UTC, ISO 8601
    inputs         TEXT NOT NULL,   -- the folders or files given
    rules_sha256   TEXT NOT NULL,   -- the rules it was read with (default and user's, as JSON)
    files          INTEGER NOT NULL DEFAULT 0,
    files_known    INTEGER NOT NULL DEFAULT 0,  -- already in the case: not read again
    bytes          INTEGER NOT NULL DEFAULT 0,
    messages       INTEGER NOT NULL DEFAULT 0,  -- occurrences
    new_messages   INTEGER NOT NULL DEFAULT 0,  -- distinct messages first seen here
    reproduced     INTEGER NOT NULL DEFAULT 0,  -- distinct messages seen before
    new_flags      INTEGER NOT NULL DEFAULT 0,
    newly_released INTEGER NOT NULL DEFAULT 0,  -- spans withheld before, shown here
    newly_withheld INTEGER NOT NULL DEFAULT 0,
    error_rows     INTEGER NOT NULL DEFAULT 0,
    seconds        REAL NOT NULL DEFAULT 0
);

-- One row per file of each production.
CREATE TABLE files (
    id            INTEGER PRIMARY KEY,
    production_id INTEGER NOT NULL REFERENCES productions(id),
    source        TEXT NOT NULL,    -- the name it is reported under
    relative      TEXT NOT NULL,    -- its path inside the production's input
    path          TEXT NOT NULL,    -- where it was read from (absolute)
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    same_as       INTEGER REFERENCES files(id),  -- the file with the same content read before
    UNIQUE (production_id, source)
);
CREATE INDEX files_sha256 ON files(sha256);
CREATE INDEX files_source ON files(source);

-- One row per file: what it is and what it gave (documents.csv's columns).
CREATE TABLE documents (
    file_id           INTEGER PRIMARY KEY REFERENCES files(id),
    production_id     INTEGER NOT NULL REFERENCES productions(id),
    source            TEXT NOT NULL,
    format            TEXT NOT NULL,
    pages             INTEGER NOT NULL,
    content           TEXT NOT NULL,
    messages          INTEGER NOT NULL,
    redactions        INTEGER NOT NULL,
    exemptions        TEXT NOT NULL,
    release_stamps    TEXT NOT NULL,
    pages_needing_ocr INTEGER NOT NULL,
    error             TEXT NOT NULL,
    document          TEXT NOT NULL     -- the whole row as JSON, loose redactions included
);

-- One row per message occurrence. message_key names the message across occurrences and
-- productions; thread_id, duplicate_of, first_seen and message_key are rewritten at each
-- update (each groups the whole case again). Its text is in message_texts.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    production_id INTEGER NOT NULL REFERENCES productions(id),
    file_id       INTEGER NOT NULL REFERENCES files(id),
    key           TEXT NOT NULL,    -- source#ordinal
    message_key   TEXT NOT NULL,
    first_seen    TEXT NOT NULL,    -- the production the message was first seen in
    source        TEXT NOT NULL,
    ordinal       INTEGER NOT NULL,
    origin        TEXT NOT NULL,
    date          TEXT NOT NULL,
    "from"        TEXT NOT NULL,
    "to"          TEXT NOT NULL,
    cc            TEXT NOT NULL,
    subject       TEXT NOT NULL,
    page          INTEGER NOT NULL,
    bates         TEXT NOT NULL,
    thread_id     TEXT NOT NULL,
    duplicate_of  TEXT NOT NULL,
    sender_agency TEXT NOT NULL,
    exemptions    TEXT NOT NULL,
    flagged       INTEGER NOT NULL,
    score         REAL NOT NULL,
    UNIQUE (production_id, source, ordinal)
);
CREATE INDEX messages_file ON messages(file_id);
CREATE INDEX messages_message_key ON messages(message_key);

-- Each occurrence's text, and everything read from it (its message and findings as JSON):
-- what a later update takes back instead of reading the file again. Apart from messages
-- so that the rows of messages stay short.
CREATE TABLE message_texts (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id),
    record     TEXT NOT NULL,
    body       TEXT NOT NULL
);

-- One row per flagged occurrence: the informal request and what it rests on.
CREATE TABLE flags (
    message_id    INTEGER PRIMARY KEY REFERENCES messages(id),
    production_id INTEGER NOT NULL REFERENCES productions(id),
    message_key   TEXT NOT NULL,
    score         REAL NOT NULL,
    requester     TEXT NOT NULL,
    holder        TEXT NOT NULL,
    data_types    TEXT NOT NULL,
    identifiers   TEXT NOT NULL,
    reasons       TEXT NOT NULL,
    evidence      TEXT NOT NULL     -- sentences joined with " | "
);

-- One row per redacted span of each occurrence.
CREATE TABLE redactions (
    message_id    INTEGER NOT NULL REFERENCES messages(id),
    production_id INTEGER NOT NULL REFERENCES productions(id),
    span          TEXT NOT NULL,    -- as printed
    exemptions    TEXT NOT NULL
);
CREATE INDEX redactions_message ON redactions(message_id);

-- The error rows of each production's files.
CREATE TABLE errors (
    production_id INTEGER NOT NULL REFERENCES productions(id),
    file_id       INTEGER REFERENCES files(id),  -- empty for a path that could not be walked
    file          TEXT NOT NULL,
    stage         TEXT NOT NULL,
    reason        TEXT NOT NULL
);

-- Over the whole case, rewritten at each update (agencies.csv's and threads.csv's
-- columns).
CREATE TABLE agencies (
    agency       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    messages     INTEGER NOT NULL,
    as_sender    INTEGER NOT NULL,
    flags_as_requester INTEGER NOT NULL,
    flags_as_holder    INTEGER NOT NULL
);

CREATE TABLE threads (
    thread_id    TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    first_date   TEXT NOT NULL,
    last_date    TEXT NOT NULL,
    messages     INTEGER NOT NULL,
    occurrences  INTEGER NOT NULL,
    participants TEXT NOT NULL,
    agencies     TEXT NOT NULL,
    flagged      INTEGER NOT NULL,
    sources      TEXT NOT NULL
);

-- What each production changed (changes.csv's columns).
CREATE TABLE changes (
    production_id      INTEGER NOT NULL REFERENCES productions(id),
    production         TEXT NOT NULL,
    change             TEXT NOT NULL,
    message_key        TEXT NOT NULL,
    key                TEXT NOT NULL,
    page               INTEGER NOT NULL,
    bates              TEXT NOT NULL,
    date               TEXT NOT NULL,
    "from"             TEXT NOT NULL,
    subject            TEXT NOT NULL,
    earlier_production TEXT NOT NULL,
    earlier_key        TEXT NOT NULL,
    field              TEXT NOT NULL,
    text               TEXT NOT NULL,
    exemptions         TEXT NOT NULL,
    context            TEXT NOT NULL
);
CREATE INDEX changes_production ON changes(production_id);
