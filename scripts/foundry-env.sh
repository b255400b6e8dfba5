# Source this to put the pinned Foundry binaries (installed by scripts/setup-node-tools.sh) on PATH:
#   . scripts/foundry-env.sh && forge test
_zk_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for _zk_tool in forge anvil cast; do
  PATH="$_zk_root/tools/foundry/node_modules/@foundry-rs/$_zk_tool-linux-amd64/bin:$PATH"
done
export PATH
unset _zk_root _zk_tool
