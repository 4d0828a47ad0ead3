using Spectre.Console;

namespace Cai.Cli;

/// <summary>
/// Rows of plain text shown as a table when the table fits the console, and otherwise one record per block
/// (<c>header: value</c> lines, a blank line between records; <c>key: value</c> lines for a two-column table), so that
/// nothing wraps inside a word, path or hash.
/// </summary>
public sealed class RecordTable(params string[] headers)
{
    readonly List<string[]> _rows = [];

    /// <summary>Columns that are numbers, right-aligned in the table.</summary>
    public HashSet<int> RightAligned { get; } = [];

    public RecordTable Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"a row of {cells.Length} cells for {headers.Length} columns", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    /// <summary>The width the table needs: each column's widest cell, one space either side, and the borders.</summary>
    public int Width => Enumerable.Range(0, headers.Length)
        .Sum(c => _rows.Select(r => r[c]).Prepend(headers[c]).Max(text => text.Split('\n').Max(line => line.Length)) + 3) + 1;

    public void Write(IAnsiConsole console)
    {
        if (Width <= console.Profile.Width)
        {
            var table = new Table();
            for (int c = 0; c < headers.Length; c++)
            {
                var column = new TableColumn(Markup.Escape(headers[c]));
                table.AddColumn(RightAligned.Contains(c) ? column.RightAligned() : column);
            }
            foreach (var row in _rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            console.Write(table);
            return;
        }
        // Plain lines on the console's writer: Spectre would wrap them at its width, inside a hash or a path.
        var writer = console.Profile.Out.Writer;
        if (headers.Length == 2)
        {
            foreach (var row in _rows) writer.WriteLine($"{row[0].Trim()}: {row[1]}");
            return;
        }
        for (int r = 0; r < _rows.Count; r++)
        {
            if (r > 0) writer.WriteLine();
            for (int c = 0; c < headers.Length; c++) writer.WriteLine($"{headers[c]}: {_rows[r][c].Trim()}");
        }
    }
}
