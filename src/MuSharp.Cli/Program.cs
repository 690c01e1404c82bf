using MuSharp.Cli;

return Cli.Main(args);
