using Cai.Cli.Commands;

namespace Cai.Cli;

public static class Program
{
    public static int Main(string[] args) => CaiCommandLine.Build().Parse(args).Invoke();
}
