-- Orleans.Flows schema 0007: ASP.NET Core data-protection keys, shared by every API process of a service.
--
-- The dashboard's session cookie and its sign-in form's antiforgery token are sealed with these keys. Kept here,
-- a cookie sealed by one API process opens the dashboard on any other behind the same balancer, and survives a
-- restart. Rows are only ever added (the key ring keeps expired keys to read old cookies); the XML holds the key
-- material unencrypted, as ASP.NET Core's file-system store does on Linux: grant this table like the rest.
create table if not exists flows_data_protection_keys
(
    friendly_name text primary key,
    xml text not null,
    created_at timestamptz not null default now()
);
