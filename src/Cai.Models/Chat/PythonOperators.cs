namespace Cai.Models.Chat;

/// <summary>
/// Python's arithmetic and comparison operators on template values: int/float promotion (bool counts as int),
/// true division, floor division and modulo rounding toward negative infinity, string and list concatenation and
/// repetition. Python's ints are unbounded; here they are 64-bit and overflow is an error.
/// </summary>
internal static class PythonOperators
{
    public static object? Unary(string op, object? operand)
    {
        if (operand is Undefined u) throw u.Fail();
        return (op, operand) switch
        {
            ("-", double d) => -d,
            ("-", bool or long) => Checked(() => checked(-PythonValue.AsLong(operand)!.Value)),
            ("+", double d) => d,
            ("+", bool or long) => PythonValue.AsLong(operand),
            _ => throw new JinjaRuntimeError($"TypeError: bad operand type for unary {op}: '{PythonValue.TypeName(operand)}'"),
        };
    }

    public static object? Binary(string op, object? left, object? right, int maxLength)
    {
        if (left is Undefined u) throw u.Fail();
        // str % x formats; a mapping-like x (list, dict, Undefined) may go unused, as in Python.
        if (op == "%" && left is string format)
            return right is JinjaSequence { Kind: SequenceKind.Tuple } tuple
                ? JinjaMethods.PercentFormat(format, tuple.Items)
                : JinjaMethods.PercentFormat(format, [right], allowUnused: right is JinjaDict or Undefined or JinjaSequence { IsSubscriptable: true });
        if (right is Undefined v) throw v.Fail();
        if (PythonValue.IsNumber(left) && PythonValue.IsNumber(right))
            return PythonValue.AsLong(left) is long a && PythonValue.AsLong(right) is long b ? IntegerArithmetic(op, a, b) : FloatArithmetic(op, PythonValue.AsDouble(left), PythonValue.AsDouble(right));
        switch (op, left, right)
        {
            case ("+", string a, string b):
                return PythonValue.Bounded(a + b, maxLength);
            case ("+", JinjaSequence a, JinjaSequence b) when a.Kind == b.Kind && a.Kind is SequenceKind.List or SequenceKind.Tuple:
                if ((long)a.Count + b.Count > maxLength) throw TooLong(a.Count + (long)b.Count, maxLength);
                return new JinjaSequence([.. a.Items, .. b.Items], a.Kind);
            case ("*", _, _) when Repeatable(left) && PythonValue.AsLong(right) is long n:
                return Repeat(left, n, maxLength);
            case ("*", _, _) when Repeatable(right) && PythonValue.AsLong(left) is long n:
                return Repeat(right, n, maxLength);
            case ("+", string, _):
                throw new JinjaRuntimeError($"TypeError: can only concatenate str (not \"{PythonValue.TypeName(right)}\") to str");
            case ("+", JinjaSequence { Kind: SequenceKind.List or SequenceKind.Tuple } seq, _):
                throw new JinjaRuntimeError($"TypeError: can only concatenate {PythonValue.TypeName(seq)} (not \"{PythonValue.TypeName(right)}\") to {PythonValue.TypeName(seq)}");
        }
        string symbol = op == "**" ? "** or pow()" : op;
        throw new JinjaRuntimeError($"TypeError: unsupported operand type(s) for {symbol}: '{PythonValue.TypeName(left)}' and '{PythonValue.TypeName(right)}'");
    }

    private static bool Repeatable(object? value) => value is string or JinjaSequence { Kind: SequenceKind.List or SequenceKind.Tuple };

    private static object Repeat(object? value, long count, int maxLength)
    {
        count = Math.Max(count, 0);
        if (value is string s)
        {
            if (s.Length * count > maxLength) throw TooLong(s.Length * count, maxLength);
            return string.Concat(Enumerable.Repeat(s, (int)count));
        }
        var sequence = (JinjaSequence)value!;
        if (sequence.Count * count > maxLength) throw TooLong(sequence.Count * count, maxLength);
        return new JinjaSequence(Enumerable.Repeat(sequence.Items, (int)count).SelectMany(x => x).ToList(), sequence.Kind);
    }

    private static JinjaRuntimeError TooLong(long length, int maxLength) =>
        new($"a value of {length} items exceeds the limit of {maxLength}", JinjaErrorKind.Limit);

    private static object IntegerArithmetic(string op, long a, long b) => op switch
    {
        "+" => Checked(() => checked(a + b)),
        "-" => Checked(() => checked(a - b)),
        "*" => Checked(() => checked(a * b)),
        "/" => b == 0 ? throw ZeroDivision("division by zero") : (double)a / b,
        "//" => b == 0 ? throw ZeroDivision("integer division or modulo by zero") : Checked(() => FloorDivide(a, b)),
        "%" => b == 0 ? throw ZeroDivision("integer division or modulo by zero") : Modulo(a, b),
        "**" => b >= 0 ? Checked(() => Power(a, b)) : FloatArithmetic("**", a, b),
        _ => throw new InvalidOperationException(op),
    };

    private static long FloorDivide(long a, long b)
    {
        long q = checked(a / b);
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static long Modulo(long a, long b)
    {
        long r = b == -1 ? 0 : a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    private static long Power(long a, long b)
    {
        long result = 1;
        while (b > 0)
        {
            if ((b & 1) == 1) result = checked(result * a);
            b >>= 1;
            if (b > 0) a = checked(a * a);
        }
        return result;
    }

    private static object Checked(Func<long> compute)
    {
        try
        {
            return compute();
        }
        catch (OverflowException)
        {
            throw new JinjaRuntimeError("OverflowError: the result does not fit in 64 bits (Python's unbounded integers are not supported)");
        }
    }

    private static object FloatArithmetic(string op, double a, double b)
    {
        switch (op)
        {
            case "+": return a + b;
            case "-": return a - b;
            case "*": return a * b;
            case "/": return b == 0 ? throw ZeroDivision("float division by zero") : a / b;
            case "//": return b == 0 ? throw ZeroDivision("float floor division by zero") : FloatDivMod(a, b).Quotient;
            case "%": return b == 0 ? throw ZeroDivision("float modulo") : FloatDivMod(a, b).Remainder;
            case "**":
                if (a == 0 && b < 0) throw ZeroDivision("0.0 cannot be raised to a negative power");
                if (a < 0 && b != Math.Floor(b)) throw new JinjaRuntimeError("a negative number to a fractional power is complex, which is not supported");
                double result = Math.Pow(a, b);
                if (double.IsInfinity(result) && double.IsFinite(a) && double.IsFinite(b)) throw new JinjaRuntimeError("OverflowError: (34, 'Numerical result out of range')");
                return result;
            default: throw new InvalidOperationException(op);
        }
    }

    /// <summary>CPython's float_divmod: remainder with the divisor's sign, quotient rounded toward negative infinity.</summary>
    private static (double Quotient, double Remainder) FloatDivMod(double vx, double wx)
    {
        double mod = vx % wx;
        double div = (vx - mod) / wx;
        if (mod != 0)
        {
            if ((wx < 0) != (mod < 0))
            {
                mod += wx;
                div -= 1.0;
            }
        }
        else mod = Math.CopySign(0.0, wx);
        double floorDiv;
        if (div != 0)
        {
            floorDiv = Math.Floor(div);
            if (div - floorDiv > 0.5) floorDiv += 1.0;
        }
        else floorDiv = Math.CopySign(0.0, vx / wx);
        return (floorDiv, mod);
    }

    private static JinjaRuntimeError ZeroDivision(string message) => new("ZeroDivisionError: " + message);

    /// <summary>One link of a comparison chain.</summary>
    public static bool Compare(string op, object? left, object? right) => op switch
    {
        "==" => PythonValue.Equal(left, right),
        "!=" => !PythonValue.Equal(left, right),
        "<" => PythonValue.Compare(left, right, op) < 0,
        "<=" => PythonValue.Compare(left, right, op) <= 0,
        ">" => PythonValue.Compare(left, right, op) > 0,
        ">=" => PythonValue.Compare(left, right, op) >= 0,
        "in" => PythonValue.Contains(right, left),
        "notin" => !PythonValue.Contains(right, left),
        _ => throw new InvalidOperationException(op),
    };
}
