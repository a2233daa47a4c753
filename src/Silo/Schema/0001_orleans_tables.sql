-- Orleans.Flows schema 0001: the tables the Orleans ADO.NET providers read and write through the queries of
-- 0002. Written for this project; names are unquoted (lower case) because the providers load their queries
-- with an unquoted SELECT from orleansquery.

create table if not exists orleansquery (
    querykey  text primary key,
    querytext text not null
);

-- Cluster membership: one version row per cluster (deploymentid = ClusterOptions.ClusterId) whose number
-- every membership change bumps, and one row per silo incarnation.
create table if not exists orleansmembershipversion (
    deploymentid text primary key,
    version      integer not null default 0,
    timestamp    timestamptz not null default now()
);

create table if not exists orleansmembership (
    deploymentid text not null references orleansmembershipversion (deploymentid) on delete cascade,
    address      text not null,
    port         integer not null,
    generation   integer not null,
    siloname     text not null,
    hostname     text not null,
    status       integer not null,
    proxyport    integer,
    suspecttimes text,
    starttime    timestamptz not null,
    iamalivetime timestamptz not null,
    primary key (deploymentid, address, port, generation)
);

-- Reminders. grainhash is the signed 32-bit uniform hash of the grain id: each silo reads the range of the
-- hash ring it owns, so the range queries need the (serviceid, grainhash) index.
create table if not exists orleansreminders (
    serviceid    text not null,
    grainid      text not null,
    remindername text not null,
    starttime    timestamptz not null,
    period       bigint not null,
    grainhash    integer not null,
    version      integer not null,
    primary key (serviceid, grainid, remindername)
);

create index if not exists orleansreminders_by_hash on orleansreminders (serviceid, grainhash);

-- Grain state. The hashes narrow the lookup; the full identity (type string, key parts, extension, service)
-- decides, so two grains whose hashes collide never share a row.
create table if not exists orleansstorage (
    serviceid              text not null,
    graintypehash          integer not null,
    graintypestring        text not null,
    grainidhash            integer not null,
    grainidn0              bigint not null,
    grainidn1              bigint not null,
    grainidextensionstring text,
    payloadbinary          bytea,
    modifiedon             timestamptz not null default now(),
    version                integer not null
);

create unique index if not exists orleansstorage_identity on orleansstorage
    (serviceid, graintypehash, grainidhash, grainidn0, grainidn1, graintypestring, grainidextensionstring) nulls not distinct;
