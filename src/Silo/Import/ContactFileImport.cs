using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Orleans.Flows.Silo.Import;

/// <summary>
/// Streams a file of contacts (NDJSON or CSV, see <see cref="NdjsonContactRows"/> and <see cref="CsvContactRows"/>) to
/// <c>POST /v1/contacts/batch</c>: the file is read once, never whole; batches go out with a bounded number in flight,
/// so reading waits for the API. A transient failure (5xx, 408, 429 with its Retry-After, a connection error, a
/// timeout) is retried with back-off; the upsert is keyed by contact id, so a batch sent twice changes nothing more.
/// Every refused row is reported with its line in the file. Progress goes to <c>output</c>, refused rows to <c>errors</c>.
/// </summary>
public sealed class ContactFileImport
{
    private const string BatchPath = "v1/contacts/batch";
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private static readonly ResiliencePropertyKey<Batch> BatchKey = new("flows.import.batch");

    private readonly HttpClient _client;
    private readonly ContactImportOptions _options;
    private readonly TextWriter _output;
    private readonly TextWriter _errors;
    private readonly Lock _writeLock = new();
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private long _rows;
    private long _imported;
    private long _rejected;
    private long _shown;

    /// <param name="client">Sends to the service; its <see cref="HttpClient.BaseAddress"/> is the service's root and it carries the API key.</param>
    public ContactFileImport(HttpClient client, ContactImportOptions options, TextWriter output, TextWriter errors)
    {
        _client = client;
        _options = options;
        _output = output;
        _errors = errors;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                // The default transient failures, and a timeout of the HttpClient itself.
                ShouldHandle = args => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(args.Outcome) ||
                    args.Outcome.Exception is TaskCanceledException { InnerException: TimeoutException }),
                OnRetry = args =>
                {
                    var batch = args.Context.Properties.GetValue(BatchKey, null!);
                    var why = args.Outcome.Result is { } response ? $"{(int)response.StatusCode} {response.ReasonPhrase}" : args.Outcome.Exception?.Message;
                    Say(_output, $"lines {batch.FirstLine}-{batch.LastLine}: attempt {args.AttemptNumber + 1} failed ({why}); retrying in {args.RetryDelay.TotalSeconds:0.#} s");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    public static ContactFileFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".ndjson" or ".jsonl" => ContactFileFormat.Ndjson,
        ".csv" => ContactFileFormat.Csv,
        _ => null,
    };

    /// <summary>Imports the file at <paramref name="path"/>, its format by its extension.</summary>
    public async Task<ContactImportResult> ImportFileAsync(string path, CancellationToken cancellationToken = default)
    {
        if (FormatOf(path) is not { } format) return Finish(Stopwatch.StartNew(), $"{path}: the file name must end in .ndjson, .jsonl or .csv");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Finish(Stopwatch.StartNew(), $"cannot read {path}: {ex.Message}");
        }
        await using (stream)
            return await ImportAsync(stream, format, cancellationToken);
    }

    /// <summary>Imports contacts from <paramref name="stream"/>, read to its end.</summary>
    public async Task<ContactImportResult> ImportAsync(Stream stream, ContactFileFormat format, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (_options.Problem() is { } problem) return Finish(clock, problem);
        if (await ProbeAsync(cancellationToken) is { } unreachable) return Finish(clock, unreachable);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(_options.Parallel) { SingleWriter = true });
        string? failure = null;
        var senders = Enumerable.Range(0, _options.Parallel).Select(_ => SendAllAsync(batches.Reader, stop)).ToList();
        using var progressStop = new CancellationTokenSource();
        var progress = ReportProgressAsync(clock, progressStop.Token);
        try
        {
            var rows = format == ContactFileFormat.Csv
                ? CsvContactRows.ReadAsync(stream, stop.Token)
                : NdjsonContactRows.ReadAsync(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true), stop.Token);
            await ReadAsync(rows, batches.Writer, stop.Token);
        }
        catch (ContactFileException ex)
        {
            failure = ex.Message;
        }
        catch (IOException ex)
        {
            failure = "cannot read the file: " + ex.Message;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A sender failed, or the caller cancelled: said below.
        }
        batches.Writer.TryComplete();
        if (failure is not null) await stop.CancelAsync();
        foreach (var sender in senders)
        {
            try
            {
                await sender;
            }
            catch (ImportStoppedException ex)
            {
                failure ??= ex.Message;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
        if (failure is null && cancellationToken.IsCancellationRequested) failure = "cancelled";
        await progressStop.CancelAsync();
        await progress;
        return Finish(clock, failure);
    }

    /// <summary>One quick request first, so that a wrong address fails at once rather than after every retry.</summary>
    private async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var response = await _client.GetAsync("health/live", timeout.Token);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"the API is not reachable at {_client.BaseAddress}: {ex.Message}";
        }
    }

    private async Task ReadAsync(IAsyncEnumerable<ContactRow> rows, ChannelWriter<Batch> batches, CancellationToken cancellationToken)
    {
        var batch = new Batch();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            Interlocked.Increment(ref _rows);
            if (row.Error is not null)
            {
                Reject(row.Line, row.Error);
                continue;
            }
            batch.Add(row.Line, row.Json!);
            if (batch.Count >= _options.BatchSize || batch.Bytes >= _options.MaxBatchBytes)
            {
                await batches.WriteAsync(batch, cancellationToken);
                batch = new Batch();
            }
        }
        if (batch.Count > 0) await batches.WriteAsync(batch, cancellationToken);
    }

    private async Task SendAllAsync(ChannelReader<Batch> batches, CancellationTokenSource stop)
    {
        // Off the caller's thread at once: the reader must not wait for a sender's synchronous part.
        await Task.Yield();
        try
        {
            await foreach (var batch in batches.ReadAllAsync(stop.Token)) await SendAsync(batch, stop.Token);
        }
        catch (ImportStoppedException)
        {
            // The reader may be waiting for room in the channel: stop it and the other senders.
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task SendAsync(Batch batch, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BatchKey, batch);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (context, state) =>
                {
                    var content = new ReadOnlyMemoryContent(state.Batch.Body);
                    content.Headers.ContentType = JsonType;
                    return await state.Client.PostAsync(BatchPath, content, context.CancellationToken);
                },
                context,
                (Batch: batch, Client: _client));
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ImportStoppedException($"lines {batch.FirstLine}-{batch.LastLine}: the API could not be reached at {_client.BaseAddress} after {_options.MaxRetries} retries: {ex.Message}");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    Accepted(batch, text);
                    break;
                case HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge:
                    // The batch as a whole was refused: none of its rows was imported.
                    foreach (var line in batch.Lines) Reject(line, $"the batch was refused ({(int)response.StatusCode}): {ProblemText(text)}");
                    break;
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    throw new ImportStoppedException($"the API refused the key ({(int)response.StatusCode}): give an admin or ingest key with --key or FLOWS_API_KEY");
                default:
                    throw new ImportStoppedException($"lines {batch.FirstLine}-{batch.LastLine}: the API answered {(int)response.StatusCode} {response.ReasonPhrase}: {ProblemText(text)}");
            }
        }
    }

    /// <summary>Reads <c>{upserted, errors:[{index, errors:{path:[message]}}]}</c> and reports each error at its line.</summary>
    private void Accepted(Batch batch, string text)
    {
        using var answer = JsonDocument.Parse(text);
        var root = answer.RootElement;
        Interlocked.Add(ref _imported, root.GetProperty("upserted").GetInt64());
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array) return;
        foreach (var error in errors.EnumerateArray())
        {
            var index = error.GetProperty("index").GetInt32();
            var line = index >= 0 && index < batch.Lines.Count ? batch.Lines[index] : 0;
            var prefix = $"$.contacts[{index}]";
            var messages = error.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object
                ? fields.EnumerateObject().Select(f =>
                {
                    var field = f.Name.StartsWith(prefix, StringComparison.Ordinal) ? f.Name[prefix.Length..].TrimStart('.') : f.Name;
                    var said = string.Join("; ", f.Value.EnumerateArray().Select(m => m.GetString()));
                    return field.Length == 0 ? said : $"{field}: {said}";
                })
                : ["refused"];
            Reject(line, string.Join("; ", messages));
        }
    }

    private void Reject(long line, string why)
    {
        Interlocked.Increment(ref _rejected);
        var shown = Interlocked.Increment(ref _shown);
        if (shown <= _options.MaxErrorsShown) Say(_errors, $"line {line}: {why}");
        else if (shown == _options.MaxErrorsShown + 1) Say(_errors, $"more rejected rows are counted but not shown (after {_options.MaxErrorsShown})");
    }

    private async Task ReportProgressAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var imported = Interlocked.Read(ref _imported);
                Say(_output, string.Create(CultureInfo.InvariantCulture,
                    $"{Interlocked.Read(ref _rows):N0} rows read, {imported:N0} imported, {Interlocked.Read(ref _rejected):N0} rejected ({imported / clock.Elapsed.TotalSeconds:N0}/s)"));
            }
        }
        catch (OperationCanceledException)
        {
            // The import is over.
        }
    }

    private ContactImportResult Finish(Stopwatch clock, string? failure)
    {
        var result = new ContactImportResult(Interlocked.Read(ref _rows), Interlocked.Read(ref _imported), Interlocked.Read(ref _rejected), clock.Elapsed, failure);
        if (failure is not null) Say(_errors, "import failed: " + failure);
        Say(_output, string.Create(CultureInfo.InvariantCulture,
            $"imported {result.Imported} contacts in {result.Elapsed.TotalSeconds:0.0} s ({result.PerSecond:0}/s), {result.Rejected} rejected"));
        return result;
    }

    private static string ProblemText(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var parts = new List<string>();
            foreach (var name in new[] { "title", "detail" })
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) parts.Add(value.GetString()!);
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                parts.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join("; ", e.Value.EnumerateArray().Select(m => m.ToString()))}"));
            return parts.Count > 0 ? string.Join(" ", parts) : body;
        }
        catch (JsonException)
        {
            return body.Length <= 200 ? body : body[..200] + "…";
        }
    }

    private void Say(TextWriter writer, string line)
    {
        lock (_writeLock) writer.WriteLine(line);
    }

    /// <summary>The rows of one request: the body <c>{"contacts":[…]}</c> built as they are read, and the line of each.</summary>
    private sealed class Batch
    {
        private readonly ArrayBufferWriter<byte> _body = new(64 * 1024);
        private readonly List<long> _lines = [];
        private bool _finished;

        public IReadOnlyList<long> Lines => _lines;
        public int Count => _lines.Count;
        public int Bytes => _body.WrittenCount;
        public long FirstLine => _lines.Count > 0 ? _lines[0] : 0;
        public long LastLine => _lines.Count > 0 ? _lines[^1] : 0;

        public ReadOnlyMemory<byte> Body
        {
            get
            {
                if (!_finished)
                {
                    _body.Write("]}"u8);
                    _finished = true;
                }
                return _body.WrittenMemory;
            }
        }

        public void Add(long line, byte[] json)
        {
            _body.Write(_lines.Count == 0 ? "{\"contacts\":["u8 : ","u8);
            _body.Write(json);
            _lines.Add(line);
        }
    }

    private sealed class ImportStoppedException(string message) : Exception(message);
}
