using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Flows.Statistics;
using Orleans.Flows.Telemetry;
using Polly;
using Polly.Retry;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Each silo's dispatcher: one loop per channel claims due messages from the outbox (no two silos get the same
/// one), takes permits from the channel's cluster-wide <see cref="IDeliveryRateGrain"/> first when a rate is set,
/// sends through the channel with quick retries, and records the outcome in the message log and the flow's
/// statistics. A message that keeps failing for a passing reason goes back to the outbox with a growing delay,
/// until <see cref="DeliveryOptions.MaxAttempts"/>.
/// </summary>
public sealed partial class OutboxDispatcher : BackgroundService
{
    private readonly IOutbox _outbox;
    private readonly IReadOnlyList<IDeliveryChannel> _channels;
    private readonly IDeliveryChannel _recording;
    private readonly IGrainFactory _grains;
    private readonly FlowReadModelBuffer _readModels;
    private readonly FlowsMetrics _metrics;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxDispatcher> _logger;
    private readonly ResiliencePipeline<SendOutcome> _quickRetries;
    private readonly Dictionary<MessageChannel, SemaphoreSlim> _queued = Enum.GetValues<MessageChannel>().ToDictionary(c => c, _ => new SemaphoreSlim(0, 1));

    public OutboxDispatcher(
        IOutbox outbox,
        IEnumerable<IDeliveryChannel> channels,
        RecordingChannel recording,
        IGrainFactory grains,
        FlowReadModelBuffer readModels,
        FlowsMetrics metrics,
        IOptions<DeliveryOptions> options,
        TimeProvider time,
        ILogger<OutboxDispatcher> logger)
    {
        _outbox = outbox;
        _channels = [.. channels];
        _recording = recording;
        _grains = grains;
        _readModels = readModels;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _quickRetries = _options.QuickRetries <= 0
            ? ResiliencePipeline<SendOutcome>.Empty
            : new ResiliencePipelineBuilder<SendOutcome>()
                .AddRetry(new RetryStrategyOptions<SendOutcome>
                {
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.Result == SendResult.Transient),
                    MaxRetryAttempts = _options.QuickRetries,
                    Delay = _options.QuickRetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                })
                .Build();
        _outbox.Queued += channel =>
        {
            var signal = _queued[channel];
            if (signal.CurrentCount == 0)
            {
                try { signal.Release(); } catch (SemaphoreFullException) { }
            }
        };
    }

    /// <summary>The channel that sends <paramref name="channel"/>: a configured provider, else the recording one.</summary>
    public IDeliveryChannel ChannelFor(MessageChannel channel) => _channels.FirstOrDefault(c => c.Handles(channel)) ?? _recording;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enum.GetValues<MessageChannel>().Select(c => Task.Run(() => RunAsync(c, stoppingToken), stoppingToken)));

    private async Task RunAsync(MessageChannel channel, CancellationToken stoppingToken)
    {
        var sender = ChannelFor(channel);
        var rate = _options.RateFor(channel);
        using var slots = new SemaphoreSlim(Math.Max(1, _options.Parallelism));
        LogInformationStarted(_logger, channel, sender.GetType().Name, rate?.ToString("0.##") ?? "unlimited");
        // The next batch, claimed while the one before goes out.
        Task<IReadOnlyList<ClaimedMessage>>? ahead = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wanted = Math.Max(1, _options.BatchSize);
                IReadOnlyList<ClaimedMessage> claimed;
                if (ahead is not null)
                {
                    var pending = ahead;
                    ahead = null;
                    claimed = await pending;
                }
                else
                {
                    if (rate is { } perSecond)
                    {
                        var grant = await _grains.GetGrain<IDeliveryRateGrain>(channel.ToString()).AcquireAsync(wanted, perSecond);
                        if (grant.Granted == 0)
                        {
                            await Task.Delay(grant.RetryAfter < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : grant.RetryAfter, _time, stoppingToken);
                            continue;
                        }
                        wanted = grant.Granted;
                    }
                    claimed = await _outbox.ClaimAsync(channel, wanted, _options.Lease);
                }
                if (claimed.Count == 0)
                {
                    await _queued[channel].WaitAsync(_options.PollInterval, stoppingToken);
                    continue;
                }
                // A full batch: more are probably due. Without a rate to keep, the next batch is claimed while this
                // one goes out, so that the sends do not stop for every claim's round trip.
                if (rate is null && claimed.Count >= wanted) ahead = _outbox.ClaimAsync(channel, wanted, _options.Lease);
                await HandOutAsync(sender, claimed, slots);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database or the rate grain is away for a moment (a silo is starting or leaving): look again soon.
                LogWarningLoopFailed(_logger, e, channel);
                try { await Task.Delay(_options.PollInterval, _time, stoppingToken); } catch (OperationCanceledException) { break; }
            }
        }
        if (ahead is not null)
        {
            // Claimed for this silo as it stopped: sent now rather than left to their lease, which for email ends in
            // failed with unknown_outcome, never sent.
            try
            {
                await HandOutAsync(sender, await ahead, slots);
            }
            catch (Exception e)
            {
                LogWarningLoopFailed(_logger, e, channel);
            }
        }
        // Let the sends under way finish and record their outcome before the silo stops.
        for (var i = 0; i < Math.Max(1, _options.Parallelism); i++) await slots.WaitAsync(CancellationToken.None);
    }

    /// <summary>
    /// Starts the sends of claimed messages, at most <see cref="DeliveryOptions.Parallelism"/> at once. Not cancelled
    /// when the silo stops: what this silo claimed goes out, or the claims would run out unsent.
    /// </summary>
    private async Task HandOutAsync(IDeliveryChannel sender, IReadOnlyList<ClaimedMessage> claimed, SemaphoreSlim slots)
    {
        foreach (var message in claimed)
        {
            await slots.WaitAsync(CancellationToken.None);
            _ = DispatchAsync(sender, message, slots);
        }
    }

    private async Task DispatchAsync(IDeliveryChannel sender, ClaimedMessage claimed, SemaphoreSlim slots)
    {
        var message = claimed.Message;
        try
        {
            SendOutcome outcome;
            try
            {
                // Not cancelled when the silo stops: a send under way finishes and its outcome is recorded.
                outcome = await _quickRetries.ExecuteAsync(async token => await sender.SendAsync(message, token), CancellationToken.None);
            }
            catch (Exception e)
            {
                // The exception's text, not the exception: a channel's may quote the address it was sending to.
                LogWarningChannelThrew(_logger, message.Channel, message.Id, e.GetType().Name, SensitiveText.Mask(e.Message));
                outcome = SendOutcome.Unknown(DeliveryErrors.UnknownOutcome + ": " + e.GetType().Name);
            }
            await RecordAsync(message, claimed.Attempts, outcome);
        }
        catch (Exception e)
        {
            // The outcome could not be written: the claim runs out and the outbox decides (see IOutbox.ClaimAsync).
            LogWarningRecordFailed(_logger, e, message.Id);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task RecordAsync(OutboxMessage message, int attempts, SendOutcome outcome)
    {
        var now = _time.GetUtcNow();
        DispatchResult result;
        switch (outcome.Result)
        {
            case SendResult.Sent:
                result = new DispatchResult(message.Id, MessageStatus.Sent, null, now);
                _readModels.RecordSends(message.FlowId, new SendStats { Sent = 1 });
                LogDebugSent(_logger, message.Channel, message.Id, message.FlowId, message.StepId, message.ContactId, attempts);
                break;
            case SendResult.Transient when attempts < _options.MaxAttempts:
                var next = now + DeliveryOptions.Backoff(attempts);
                result = new DispatchResult(message.Id, MessageStatus.Queued, outcome.Error, now, next);
                LogWarningRetryLater(_logger, message.Channel, message.Id, attempts, SensitiveText.Mask(outcome.Error), next);
                break;
            default:
                var error = outcome.Result == SendResult.Transient ? $"gave up after {attempts} attempts: {outcome.Error}" : outcome.Error;
                result = new DispatchResult(message.Id, MessageStatus.Failed, error, now);
                _readModels.RecordSends(message.FlowId, new SendStats { Failed = 1 });
                LogWarningFailed(_logger, message.Channel, message.Id, message.FlowId, message.StepId, message.ContactId, SensitiveText.Mask(error));
                break;
        }
        await _outbox.CompleteAsync(result);
        // A retry stays queued: each message counts once as queued, and once as sent or failed.
        if (result.Status != MessageStatus.Queued) _metrics.Message(message.Channel, result.Status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatcher for {Channel} messages started: {Sender}, rate {Rate} a second across the cluster")]
    private static partial void LogInformationStarted(ILogger logger, MessageChannel channel, string sender, string rate);

    // Addresses are never logged: the message id leads to them. Debug: the message log (IOutbox) already records
    // every send, and a line per message at Information costs the service a good part of its sends a second.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent {Channel} message {MessageId} of flow {FlowId} step {StepId} to contact {ContactId} (attempt {Attempts})")]
    private static partial void LogDebugSent(ILogger logger, MessageChannel channel, string messageId, string flowId, string stepId, string contactId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} message {MessageId} not sent on attempt {Attempts} ({Error}); it goes again at {NextAttemptAt:o}")]
    private static partial void LogWarningRetryLater(ILogger logger, MessageChannel channel, string messageId, int attempts, string? error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} message {MessageId} of flow {FlowId} step {StepId} to contact {ContactId} failed: {Error}")]
    private static partial void LogWarningFailed(ILogger logger, MessageChannel channel, string messageId, string flowId, string stepId, string contactId, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Channel} channel threw on message {MessageId}: {ExceptionType}: {ExceptionMessage}")]
    private static partial void LogWarningChannelThrew(ILogger logger, MessageChannel channel, string messageId, string exceptionType, string? exceptionMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outcome of message {MessageId} could not be recorded")]
    private static partial void LogWarningRecordFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Channel} dispatcher could not claim messages; it tries again shortly")]
    private static partial void LogWarningLoopFailed(ILogger logger, Exception exception, MessageChannel channel);
}
