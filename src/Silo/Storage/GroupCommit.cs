using System.Threading.Channels;

namespace Orleans.Flows.Silo.Storage;

/// <summary>
/// Group commit: callers submit one item each and await its result; a few writer loops take whatever has queued
/// up (at most <c>maxBatch</c>) and commit it in one statement. Under load a round trip carries hundreds of items;
/// alone, an item goes at once, so nothing waits for a batch to fill.
/// </summary>
public sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _commit;
    private readonly int _maxBatch;
    private readonly Task[] _writers;

    /// <param name="commit">Commits a batch; returns one result per item, in order. A throw fails every item of the batch.</param>
    /// <param name="writers">Batches committed side by side: each holds one connection while it runs.</param>
    public GroupCommit(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> commit, int maxBatch, int writers)
    {
        _commit = commit;
        _maxBatch = maxBatch;
        _writers = [.. Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync))];
    }

    public Task<TResult> SubmitAsync(TItem item)
    {
        // Continuations run off the writer loop, so a slow caller never holds up the next batch.
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(item, done)))
            done.SetException(new ObjectDisposedException(nameof(GroupCommit<TItem, TResult>)));
        return done.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var items = new List<TItem>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                items.Add(pending.Item);
            }
            if (batch.Count == 0) continue;
            try
            {
                var results = await _commit(items);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            }
            catch (Exception e)
            {
                foreach (var pending in batch) pending.Done.TrySetException(e);
            }
            batch.Clear();
            items.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private readonly record struct Pending(TItem Item, TaskCompletionSource<TResult> Done);
}
