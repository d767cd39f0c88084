package dev.rkj.api.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rkj completion bash|zsh}: a completion script for rkj's commands and flags, generated
 * from the same command model the parser uses (picocli's {@link AutoComplete}), so it never lags
 * behind a new flag. The script works in bash and, through {@code bashcompinit}, in zsh.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a shell completion script for rkj.",
        footer = {"", "Examples:",
            "  source <(rkj completion bash)                  # this bash session",
            "  rkj completion bash > /etc/bash_completion.d/rkj",
            "  rkj completion zsh > \"${fpath[1]}/_rkj\"          # or: source <(rkj completion zsh)"})
final class CompletionCommand implements Runnable {
    enum Shell { bash, zsh }

    @ParentCommand
    RkjCommand root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    public void run() {
        // One script for both: under zsh it loads bashcompinit itself.
        root.out().print(AutoComplete.bash("rkj", spec.parent().commandLine()));
    }
}
