namespace Cai.Cli;

public static class Program
{
    public static int Main(string[] args) => CaiCommandLine.Run(args, Console.Out, Console.Error);
}
