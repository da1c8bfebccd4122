// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SettlerAuth} from "./SettlerAuth.sol";

/// @title Checkpoints of the node's transparency log, anchored on chain.
/// @notice The settler records (tree size, log root, state root) of a signed checkpoint.
/// Anyone holding an older or a newer checkpoint of the same log can then check it
/// against the anchored one with a consistency proof, so the operator cannot show two
/// histories. Tree sizes only go up: an anchor that does not grow the log reverts, so
/// the chain can never be made to rewind or fork the log. Only the latest checkpoint is
/// kept in storage (each anchor overwrites three slots instead of filling three new
/// ones); every one of them stays in the `Anchored` events.
contract LogAnchor is SettlerAuth {
    /// @notice Size of the latest anchored tree; shares a slot with `settler`.
    uint64 public treeSize;
    /// @notice RFC 9162 root of the log at `treeSize`.
    bytes32 public logRoot;
    /// @notice Root of the protocol state after applying the first `treeSize` entries.
    bytes32 public stateRoot;

    event Anchored(uint64 indexed treeSize, bytes32 logRoot, bytes32 stateRoot);

    /// @notice A checkpoint of size `treeSize` does not grow the anchored log (size `latest`).
    error TreeSizeNotIncreasing(uint64 treeSize, uint64 latest);

    constructor(address initialOwner, address initialSettler) SettlerAuth(initialOwner, initialSettler) {}

    /// @notice Records the checkpoint (`newTreeSize`, `newLogRoot`, `newStateRoot`).
    function anchor(uint64 newTreeSize, bytes32 newLogRoot, bytes32 newStateRoot) external onlySettler {
        uint64 latest = treeSize;
        if (newTreeSize <= latest) revert TreeSizeNotIncreasing(newTreeSize, latest);
        treeSize = newTreeSize;
        logRoot = newLogRoot;
        stateRoot = newStateRoot;
        emit Anchored(newTreeSize, newLogRoot, newStateRoot);
    }
}
