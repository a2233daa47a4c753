-- Orleans.Flows schema 0005: grain state written with group commit, and the due-time table of the wake-up shards.
--
-- flows_grain_state holds the state of every grain of the engine as JSON (the engine's FlowStateSerializer):
-- grain_type is the Orleans grain type ("contact", "participant", "segment", ...), grain_key the grain's string
-- key ("flowId/contactId" for a participant). Concurrent writes from one silo are coalesced into one multi-row
-- statement; etag counts the writes of a row (1 for the first), and a write that expects another etag is refused.
-- Being JSON in the database, contacts can be filtered by SQL (filter segments) without a second copy.
create table if not exists flows_grain_state (
    grain_type text collate "C" not null,
    grain_key  text collate "C" not null,
    etag       integer not null,
    data       jsonb not null,
    updated_at timestamptz not null default now(),
    primary key (grain_type, grain_key)
);

-- One row per waiting participant (or any grain with a wake-up): when it is due, which shard wakes it, and until
-- when a shard that claimed it holds it. A claimed row that is neither rescheduled nor deleted by its grain
-- before the lease ends is claimed again: that is the retry of a wake-up lost with its silo.
create table if not exists flows_wakeups (
    grain_id    text collate "C" primary key,
    shard       integer not null,
    due_at      timestamptz not null,
    lease_until timestamptz
);

create index if not exists flows_wakeups_due on flows_wakeups (shard, due_at);
