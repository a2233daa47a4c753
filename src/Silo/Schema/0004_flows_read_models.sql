-- Orleans.Flows schema 0004: read models of durable mode, written in batches by each silo's read-model buffer.
-- The participant list pages by contact id within a flow (keyset, no OFFSET), filtered by status or step.
-- Ids compare byte by byte (collate "C"), as the API's cursors (the last contact id of a page) assume.
create table if not exists flows_participants (
    flow_id         text collate "C" not null,
    contact_id      text collate "C" not null,
    email           text,
    company         text,
    enrolled_at     timestamptz not null,
    status          smallint not null,
    succeeded       boolean not null,
    current_step_id text,
    last_sending    jsonb,
    revision        bigint not null,
    primary key (flow_id, contact_id)
);

create index if not exists flows_participants_by_status on flows_participants (flow_id, status, contact_id);
create index if not exists flows_participants_by_step on flows_participants (flow_id, current_step_id, contact_id);

-- Counters are sums of the deltas the silos flush, so concurrent flushes add up in place.
create table if not exists flows_stats (
    flow_id         text primary key,
    enrolled        bigint not null default 0,
    active          bigint not null default 0,
    waiting         bigint not null default 0,
    completed       bigint not null default 0,
    succeeded       bigint not null default 0,
    exited          bigint not null default 0,
    removed         bigint not null default 0,
    failed          bigint not null default 0,
    succeeded_total bigint not null default 0,
    sends_sent      bigint not null default 0,
    sends_delivered bigint not null default 0,
    sends_failed    bigint not null default 0,
    sends_opened    bigint not null default 0,
    sends_clicked   bigint not null default 0
);

create table if not exists flows_step_stats (
    flow_id   text not null,
    step_id   text not null,
    entered   bigint not null default 0,
    completed bigint not null default 0,
    waiting   bigint not null default 0,
    primary key (flow_id, step_id)
);
