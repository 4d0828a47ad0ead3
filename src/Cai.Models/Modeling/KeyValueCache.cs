using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// Keys and values of every layer, preallocated as [batch, kv_heads, max_length, head_dim] and written in place;
/// nothing is concatenated per step. Two ways to fill it: all rows together (<see cref="Update"/>: n new positions
/// after <see cref="Length"/>, the same for every row, as for one batch of left-padded prompts), or each row at its
/// own position (<see cref="Write"/>, with the per-row lengths kept by the caller on the device, as in continuous
/// batching). <see cref="Rows"/> gives a view of some rows that shares the storage; <see cref="MoveRow"/> copies one
/// row over another, so a batch can stay contiguous when a sequence leaves.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly long _rowStart;
    private readonly bool _ownsStorage;
    private int _pendingLength = -1;

    /// <summary>Allocates zeroed storage for <paramref name="layers"/> layers.</summary>
    public KeyValueCache(int layers, long batchSize, long kvHeads, long maxLength, long headDim, Device device, ScalarType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            _keys[i] = zeros([batchSize, kvHeads, maxLength, headDim], dtype, device).DetachFromDisposeScope();
            _values[i] = zeros([batchSize, kvHeads, maxLength, headDim], dtype, device).DetachFromDisposeScope();
        }
        BatchSize = batchSize;
        MaxLength = maxLength;
        _ownsStorage = true;
    }

    private KeyValueCache(KeyValueCache parent, long start, long count)
    {
        _keys = parent._keys;
        _values = parent._values;
        _rowStart = parent._rowStart + start;
        BatchSize = count;
        MaxLength = parent.MaxLength;
    }

    /// <summary>Rows (sequences) of the cache.</summary>
    public long BatchSize { get; }

    /// <summary>Positions the cache can hold (<see cref="Grow"/> raises it).</summary>
    public long MaxLength { get; private set; }

    /// <summary>Positions written by <see cref="Update"/> (the same for every row).</summary>
    public int Length { get; private set; }

    /// <summary>Layers of the cache.</summary>
    public int Layers => _keys.Length;

    /// <summary>The element type of the keys and values.</summary>
    public ScalarType DType => _keys[0].dtype;

    /// <summary>
    /// A cache over rows [start, start + count) of this one that shares its storage, with <see cref="Length"/> 0 (for
    /// filling those rows from position 0). Disposing the view frees nothing.
    /// </summary>
    public KeyValueCache Rows(long start, long count)
    {
        if (start < 0 || count < 1 || start + count > BatchSize)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are not within the cache's {BatchSize} rows.");
        return new KeyValueCache(this, start, count);
    }

    /// <summary>
    /// Writes a layer's new keys and values ([batch, kv_heads, n, head_dim]) after the cached ones and returns views of
    /// all keys and values so far ([batch, kv_heads, Length + n, head_dim]). <see cref="Advance"/> commits the length
    /// once every layer has been written.
    /// </summary>
    public (Tensor Keys, Tensor Values) Update(int layer, Tensor keys, Tensor values)
    {
        long n = keys.shape[2];
        CheckRows(keys);
        if (Length + n > MaxLength)
            throw new InvalidOperationException($"The KV cache holds {MaxLength} positions; {Length} are used and {n} more were given.");
        if (_pendingLength >= 0 && _pendingLength != n)
            throw new InvalidOperationException("Every layer of one forward pass must write the same number of positions.");
        _pendingLength = (int)n;
        var k = Storage(_keys[layer]);
        var v = Storage(_values[layer]);
        k.narrow(2, Length, n).copy_(keys);
        v.narrow(2, Length, n).copy_(values);
        return (k.narrow(2, 0, Length + n), v.narrow(2, 0, Length + n));
    }

    /// <summary>
    /// Writes a layer's new keys and values ([batch, kv_heads, n, head_dim]) of each row at that row's own positions
    /// and returns views of the first <paramref name="keyLength"/> positions of every row.
    /// </summary>
    /// <param name="layer">The layer.</param>
    /// <param name="keys">New keys.</param>
    /// <param name="values">New values.</param>
    /// <param name="positions">[batch, kv_heads, n, head_dim] int64: the position of each new entry (a broadcast of the rows' positions).</param>
    /// <param name="keyLength">Positions to return (at least every row's last new position + 1).</param>
    public (Tensor Keys, Tensor Values) Write(int layer, Tensor keys, Tensor values, Tensor positions, long keyLength)
    {
        CheckRows(keys);
        if (keyLength < 1 || keyLength > MaxLength)
            throw new InvalidOperationException($"The KV cache holds {MaxLength} positions; {keyLength} were asked for.");
        var k = Storage(_keys[layer]);
        var v = Storage(_values[layer]);
        k.scatter_(2, positions, keys);
        v.scatter_(2, positions, values);
        return keyLength == MaxLength ? (k, v) : (k.narrow(2, 0, keyLength), v.narrow(2, 0, keyLength));
    }

    /// <summary>
    /// Reallocates every layer's storage with <paramref name="maxLength"/> positions per row and copies what the rows
    /// hold; views made by <see cref="Rows"/> afterwards see the new storage. For a batch that starts short and grows
    /// with its longest sequence (a server's), instead of holding the longest allowed from the start.
    /// </summary>
    public void Grow(long maxLength)
    {
        if (!_ownsStorage) throw new InvalidOperationException("A view of a cache cannot grow; grow the cache it shares.");
        if (maxLength <= MaxLength) return;
        using var scope = NewDisposeScope();
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = Grown(_keys[i], maxLength);
            _values[i] = Grown(_values[i], maxLength);
        }
        MaxLength = maxLength;

        static Tensor Grown(Tensor old, long length)
        {
            var grown = zeros([old.shape[0], old.shape[1], length, old.shape[3]], old.dtype, old.device);
            grown.narrow(2, 0, old.shape[2]).copy_(old);
            old.Dispose();
            return grown.DetachFromDisposeScope();
        }
    }

    /// <summary>Copies positions [0, length) of row <paramref name="from"/> over row <paramref name="to"/> in every layer.</summary>
    public void MoveRow(long from, long to, long length)
    {
        if (from == to || length == 0) return;
        using var scope = NewDisposeScope();
        for (int i = 0; i < _keys.Length; i++)
        {
            var k = Storage(_keys[i]);
            var v = Storage(_values[i]);
            k[to].narrow(1, 0, length).copy_(k[from].narrow(1, 0, length));
            v[to].narrow(1, 0, length).copy_(v[from].narrow(1, 0, length));
        }
    }

    /// <summary>Commits the positions written by the last forward pass (called by the model after its last layer).</summary>
    public void Advance()
    {
        if (_pendingLength < 0) return;
        Length += _pendingLength;
        _pendingLength = -1;
    }

    /// <summary>Forgets every position (storage is kept and reused).</summary>
    public void Reset()
    {
        Length = 0;
        _pendingLength = -1;
    }

    /// <summary>Bytes held by the cache's storage.</summary>
    public long SizeInBytes => _keys.Sum(k => k.NumberOfElements * k.ElementSize) * 2;

    public void Dispose()
    {
        if (!_ownsStorage) return;
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }

    private Tensor Storage(Tensor layer) => _rowStart == 0 && BatchSize == layer.shape[0] ? layer : layer.narrow(0, _rowStart, BatchSize);

    private void CheckRows(Tensor keys)
    {
        if (keys.shape[0] != BatchSize)
            throw new ArgumentException($"The cache holds {BatchSize} sequences, the input has {keys.shape[0]}.", nameof(keys));
    }
}
