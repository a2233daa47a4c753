-- Orleans.Flows schema 0003: the outbox of durable mode. A message is recorded once, by its deterministic id
-- (participant + step + visit), before the participant moves on; a step replayed after a crash finds it.
create table if not exists flows_outbox (
    id          text primary key,
    channel     text not null,
    flow_id     text not null,
    step_id     text not null,
    contact_id  text not null,
    content_id  text,
    recipient   text,
    subject     text,
    payload     text,
    status      text not null,
    created_at  timestamptz not null,
    recorded_at timestamptz not null default now()
);

create index if not exists flows_outbox_by_contact on flows_outbox (contact_id);
create index if not exists flows_outbox_by_flow on flows_outbox (flow_id, created_at);
