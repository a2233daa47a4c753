-- Orleans.Flows schema 0006: the outbox becomes the dispatchers' queue and the message log.
--
-- A message is inserted 'queued' with its rendered body (body: from, html, text, unsubscribeUrl, method, url).
-- A dispatcher claims due rows with "for update skip locked", setting claimed_until (its lease) and counting the
-- attempt; it then writes the outcome: 'sent', 'failed' with the error, or 'queued' again with next_attempt_at.
-- An email whose claim ran out without an outcome may have reached the server: it is marked failed with
-- 'unknown_outcome' instead of being sent again. Delivery reports later set 'delivered' or 'bounced'.
alter table flows_outbox add column if not exists attempts integer not null default 0;
alter table flows_outbox add column if not exists error text;
alter table flows_outbox add column if not exists sent_at timestamptz;
alter table flows_outbox add column if not exists updated_at timestamptz not null default now();
alter table flows_outbox add column if not exists next_attempt_at timestamptz not null default now();
alter table flows_outbox add column if not exists claimed_until timestamptz;
alter table flows_outbox add column if not exists body jsonb;

-- What the dispatchers claim, oldest due first.
create index if not exists flows_outbox_due on flows_outbox (channel, next_attempt_at) where status = 'queued';
-- Claims that ran out.
create index if not exists flows_outbox_claimed on flows_outbox (claimed_until) where status = 'queued' and claimed_until is not null;
-- The message log pages by id ("C" order, as the API's cursors assume), within a flow or a contact.
create index if not exists flows_outbox_flow_pages on flows_outbox (flow_id, (id collate "C"));
create index if not exists flows_outbox_contact_pages on flows_outbox (contact_id, (id collate "C"));
create index if not exists flows_outbox_pages on flows_outbox ((id collate "C"));
