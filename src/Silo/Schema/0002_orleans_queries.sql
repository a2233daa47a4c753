-- Orleans.Flows schema 0002: the statements the Orleans ADO.NET providers run, by the keys they look up.
-- Every statement that must change two rows together does it in one statement (data-modifying CTEs), guarded
-- by the version it was given, because the providers run each query on its own connection with no
-- transaction of their own.

insert into orleansquery (querykey, querytext) values

-- Membership ------------------------------------------------------------------------------------------------

('InsertMembershipVersionKey', $q$
with created as (
    insert into orleansmembershipversion (deploymentid, version, timestamp)
    values (@DeploymentId, 0, now())
    on conflict (deploymentid) do nothing
    returning 1
)
select (select count(*) from created)::integer
$q$),

('InsertMembershipKey', $q$
with bumped as (
    update orleansmembershipversion
       set version = version + 1, timestamp = now()
     where deploymentid = @DeploymentId and version = @Version
       and not exists (select 1 from orleansmembership
                        where deploymentid = @DeploymentId and address = @Address and port = @Port and generation = @Generation)
    returning version
), inserted as (
    insert into orleansmembership (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
    select @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
     where exists (select 1 from bumped)
    on conflict do nothing
    returning 1
)
select (select count(*) from inserted)::integer
$q$),

('UpdateMembershipKey', $q$
with bumped as (
    update orleansmembershipversion
       set version = version + 1, timestamp = now()
     where deploymentid = @DeploymentId and version = @Version
       and exists (select 1 from orleansmembership
                    where deploymentid = @DeploymentId and address = @Address and port = @Port and generation = @Generation)
    returning version
), updated as (
    update orleansmembership
       set status = @Status, suspecttimes = @SuspectTimes, iamalivetime = @IAmAliveTime
     where deploymentid = @DeploymentId and address = @Address and port = @Port and generation = @Generation
       and exists (select 1 from bumped)
    returning 1
)
select (select count(*) from updated)::integer
$q$),

('UpdateIAmAlivetimeKey', $q$
update orleansmembership
   set iamalivetime = @IAmAliveTime
 where deploymentid = @DeploymentId and address = @Address and port = @Port and generation = @Generation
$q$),

('MembershipReadAllKey', $q$
select v.version as Version, m.address as Address, m.port as Port, m.generation as Generation,
       m.siloname as SiloName, m.hostname as HostName, m.status as Status, m.proxyport as ProxyPort,
       m.suspecttimes as SuspectTimes, m.starttime as StartTime, m.iamalivetime as IAmAliveTime
  from orleansmembershipversion v
  left join orleansmembership m on m.deploymentid = v.deploymentid
 where v.deploymentid = @DeploymentId
$q$),

('MembershipReadRowKey', $q$
select v.version as Version, m.address as Address, m.port as Port, m.generation as Generation,
       m.siloname as SiloName, m.hostname as HostName, m.status as Status, m.proxyport as ProxyPort,
       m.suspecttimes as SuspectTimes, m.starttime as StartTime, m.iamalivetime as IAmAliveTime
  from orleansmembershipversion v
  left join orleansmembership m
    on m.deploymentid = v.deploymentid and m.address = @Address and m.port = @Port and m.generation = @Generation
 where v.deploymentid = @DeploymentId
$q$),

('GatewaysQueryKey', $q$
select address as Address, proxyport as ProxyPort, generation as Generation
  from orleansmembership
 where deploymentid = @DeploymentId and status = @Status and proxyport > 0
$q$),

('DeleteMembershipTableEntriesKey', $q$
delete from orleansmembershipversion where deploymentid = @DeploymentId
$q$),

-- Silos declared dead (status 6) that have not been heard of since the cut-off.
('CleanupDefunctSiloEntriesKey', $q$
delete from orleansmembership
 where deploymentid = @DeploymentId and iamalivetime < @IAmAliveTime and status = 6
$q$),

-- Reminders -------------------------------------------------------------------------------------------------

('UpsertReminderRowKey', $q$
insert into orleansreminders (serviceid, grainid, remindername, starttime, period, grainhash, version)
values (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
on conflict (serviceid, grainid, remindername) do update
   set starttime = excluded.starttime, period = excluded.period, grainhash = excluded.grainhash,
       version = orleansreminders.version + 1
returning version as Version
$q$),

('ReadReminderRowsKey', $q$
select grainid as GrainId, remindername as ReminderName, starttime as StartTime, period as Period, version as Version
  from orleansreminders
 where serviceid = @ServiceId and grainid = @GrainId
$q$),

('ReadReminderRowKey', $q$
select grainid as GrainId, remindername as ReminderName, starttime as StartTime, period as Period, version as Version
  from orleansreminders
 where serviceid = @ServiceId and grainid = @GrainId and remindername = @ReminderName
$q$),

-- The ring range (begin, end] when it does not wrap around in signed order...
('ReadRangeRows1Key', $q$
select grainid as GrainId, remindername as ReminderName, starttime as StartTime, period as Period, version as Version
  from orleansreminders
 where serviceid = @ServiceId and grainhash > @BeginHash and grainhash <= @EndHash
$q$),

-- ...and when it does.
('ReadRangeRows2Key', $q$
select grainid as GrainId, remindername as ReminderName, starttime as StartTime, period as Period, version as Version
  from orleansreminders
 where serviceid = @ServiceId and (grainhash > @BeginHash or grainhash <= @EndHash)
$q$),

('DeleteReminderRowKey', $q$
with deleted as (
    delete from orleansreminders
     where serviceid = @ServiceId and grainid = @GrainId and remindername = @ReminderName and version = @Version
    returning 1
)
select (select count(*) from deleted)::integer
$q$),

('DeleteReminderRowsKey', $q$
delete from orleansreminders where serviceid = @ServiceId
$q$),

-- Grain storage ---------------------------------------------------------------------------------------------

('ReadFromStorageKey', $q$
select payloadbinary as PayloadBinary, version as Version
  from orleansstorage
 where serviceid = @ServiceId and graintypehash = @GrainTypeHash and grainidhash = @GrainIdHash
   and grainidn0 = @GrainIdN0 and grainidn1 = @GrainIdN1 and graintypestring = @GrainTypeString
   and grainidextensionstring is not distinct from @GrainIdExtensionString
$q$),

-- A first write (no version yet) inserts version 1 unless the row exists; later writes succeed only on the
-- version the grain last saw. A conflict returns no row, which the provider reports as inconsistent state.
('WriteToStorageKey', $q$
with updated as (
    update orleansstorage
       set payloadbinary = @PayloadBinary, modifiedon = now(), version = version + 1
     where @GrainStateVersion is not null and version = @GrainStateVersion
       and serviceid = @ServiceId and graintypehash = @GrainTypeHash and grainidhash = @GrainIdHash
       and grainidn0 = @GrainIdN0 and grainidn1 = @GrainIdN1 and graintypestring = @GrainTypeString
       and grainidextensionstring is not distinct from @GrainIdExtensionString
    returning version
), inserted as (
    insert into orleansstorage (serviceid, graintypehash, graintypestring, grainidhash, grainidn0, grainidn1, grainidextensionstring, payloadbinary, modifiedon, version)
    select @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, now(), 1
     where @GrainStateVersion is null
    on conflict do nothing
    returning version
)
select version as NewGrainStateVersion from updated
union all
select version from inserted
$q$),

-- Clearing keeps the row with no payload and a new version, so the grain's next write finds it.
('ClearStorageKey', $q$
update orleansstorage
   set payloadbinary = null, modifiedon = now(), version = version + 1
 where version = @GrainStateVersion
   and serviceid = @ServiceId and graintypehash = @GrainTypeHash and grainidhash = @GrainIdHash
   and grainidn0 = @GrainIdN0 and grainidn1 = @GrainIdN1 and graintypestring = @GrainTypeString
   and grainidextensionstring is not distinct from @GrainIdExtensionString
returning version
$q$)

on conflict (querykey) do update set querytext = excluded.querytext;
