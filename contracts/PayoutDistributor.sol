// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SettlerAuth} from "./SettlerAuth.sol";

/// @title Cumulative payout claims against the latest epoch root.
/// @notice At each epoch close the node publishes a Merkle root over every account's
/// cumulative earnings, `(address account, uint256 cumulativeAmount)` leaves hashed
/// exactly as OpenZeppelin's StandardMerkleTree with types ["address","uint256"]. An
/// account claims with its leaf from the latest root and is paid the difference from
/// what it has already claimed, so one claim collects any number of epochs and an old
/// proof can never pay twice. Anyone may send the claim (a relayer, a friend); the
/// tokens always go to `account`.
///
/// Design choices, for the cost of a claim (target: at most 90,000 gas at 100,000
/// leaves, the first claim of an account that holds no tokens yet; Uniswap's
/// MerkleDistributor uses ~95,000). Of the 89,826 measured (bench/gas.bench.ts), 86,320
/// is fixed by the job: the transaction and its calldata with a 17-hash proof (30,664),
/// two storage slots filled from zero (`claimed[account]` here, the balance in the
/// token: 2 x 22,100), the root (2,100), the cold token account (2,600), the payer's side
/// of the transfer (5,000) and the token's Transfer event (1,756). So:
///  - The distributor holds a balance and transfers, rather than the token minting on
///    claim. Measured: a mint through a minter fixed in the token as an immutable costs
///    66 gas less per claim (the total supply's slot replaces the distributor's balance;
///    the very first mint ever fills it from zero, 106,872), and a minter looked up in a
///    role would cost a cold SLOAD (2,100) more. Holding keeps the supply fixed and caps
///    what a bug here could pay at what the distributor was given; worth 66 gas.
///  - No `Claimed` event: the token's Transfer(distributor, account, amount) already
///    says who was paid how much, and `claimed(account)` gives the running total. The
///    event would repeat that for 1,685 gas (measured), past the target.
///  - The proof is hashed in calldata by the loop in `_root`, 1,272 gas cheaper than
///    MerkleProof.verifyCalldata on a 17-hash proof (measured, same results).
///  - Only the latest root is stored, in one slot: claims verify against it alone
///    (cumulative leaves make older roots useless), and a post overwrites a slot instead
///    of filling a new one. Every root stays in the `RootPosted` events.
///  - The epoch counter shares its slot with the settler (see SettlerAuth), so a post
///    checks its caller and its epoch with one cold SLOAD.
///  - A claim with nothing new reverts with `NothingToClaim` rather than succeeding as
///    a no-op: a wallet learns from the error why nothing arrived, and a no-op would
///    still cost the sender a transaction for nothing.
/// Leaves carry no chain id or contract address (the format is StandardMerkleTree's), so
/// a proof is valid wherever its root is posted: a root must be posted to one
/// distributor only.
contract PayoutDistributor is SettlerAuth {
    using SafeERC20 for IERC20;

    /// @notice Latest epoch posted; shares a slot with `settler`.
    uint64 public epoch;
    /// @notice Root of the latest epoch's payout tree.
    bytes32 public root;
    /// @notice The token paid out.
    IERC20 public immutable token;
    /// @notice Cumulative amount already paid to each account.
    mapping(address account => uint256) public claimed;

    event RootPosted(uint64 indexed epoch, bytes32 root);

    /// @notice Epoch `epoch` is not after the latest posted epoch `latest`.
    error EpochNotIncreasing(uint64 epoch, uint64 latest);
    /// @notice The proof does not show (`account`, `cumulativeAmount`) in the latest root.
    error InvalidProof(address account, uint256 cumulativeAmount);
    /// @notice `account` already claimed `alreadyClaimed`, at least `cumulativeAmount`.
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed);

    constructor(IERC20 token_, address initialOwner, address initialSettler) SettlerAuth(initialOwner, initialSettler) {
        token = token_;
    }

    /// @notice Publishes `newRoot` as the payout root of `newEpoch`. Epochs must strictly
    /// increase; gaps are allowed (an epoch in which nobody earned posts no root).
    function postRoot(uint64 newEpoch, bytes32 newRoot) external onlySettler {
        uint64 latest = epoch;
        if (newEpoch <= latest) revert EpochNotIncreasing(newEpoch, latest);
        epoch = newEpoch;
        root = newRoot;
        emit RootPosted(newEpoch, newRoot);
    }

    /// @dev The root that `proof` leads to from the leaf of (`account`, `cumulativeAmount`):
    /// leaf = keccak256(keccak256(abi.encode(account, cumulativeAmount))), and each level
    /// hashes the sorted pair (smaller first), exactly as OpenZeppelin's StandardMerkleTree
    /// and MerkleProof.processProofCalldata. Written out because MerkleProof's loop of
    /// internal calls costs ~75 gas a level more (1,272 on a 17-hash proof), which is the
    /// margin under the 90,000 target. The main loop takes four levels a turn, saving the
    /// jump and bound check of three; each level is written out because a Yul function
    /// for it cost 278 gas more a claim (measured: the optimizer does not inline it
    /// cleanly). The tests check it on proofs of every length from 0 to 11, against
    /// payoutTree.ts, itself checked against OpenZeppelin's library.
    function _root(address account, uint256 cumulativeAmount, bytes32[] calldata proof) private pure returns (bytes32 node) {
        assembly ("memory-safe") {
            // Scratch space 0x00-0x3f only: nothing else in memory is touched.
            mstore(0x00, account)
            mstore(0x20, cumulativeAmount)
            mstore(0x00, keccak256(0x00, 0x40))
            node := keccak256(0x00, 0x20)
            let p := proof.offset
            let end := add(p, shl(5, proof.length))
            let end4 := add(p, shl(7, shr(2, proof.length)))
            // One level: `at` is 0x20 when node > sibling, so the smaller hash lands at 0x00.
            let sibling
            let at
            for {} lt(p, end4) {} {
                sibling := calldataload(p)
                at := shl(5, gt(node, sibling))
                mstore(at, node)
                mstore(xor(at, 0x20), sibling)
                node := keccak256(0x00, 0x40)
                sibling := calldataload(add(p, 0x20))
                at := shl(5, gt(node, sibling))
                mstore(at, node)
                mstore(xor(at, 0x20), sibling)
                node := keccak256(0x00, 0x40)
                sibling := calldataload(add(p, 0x40))
                at := shl(5, gt(node, sibling))
                mstore(at, node)
                mstore(xor(at, 0x20), sibling)
                node := keccak256(0x00, 0x40)
                sibling := calldataload(add(p, 0x60))
                at := shl(5, gt(node, sibling))
                mstore(at, node)
                mstore(xor(at, 0x20), sibling)
                node := keccak256(0x00, 0x40)
                p := add(p, 0x80)
            }
            for {} lt(p, end) { p := add(p, 0x20) } {
                sibling := calldataload(p)
                at := shl(5, gt(node, sibling))
                mstore(at, node)
                mstore(xor(at, 0x20), sibling)
                node := keccak256(0x00, 0x40)
            }
        }
    }

    /// @notice Pays `account` the part of `cumulativeAmount` it has not claimed yet.
    /// @param proof The sibling hashes from the leaf to the latest root, as
    /// StandardMerkleTree's `getProof` gives them.
    /// @return amount What was paid now.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external returns (uint256 amount) {
        if (_root(account, cumulativeAmount, proof) != root) revert InvalidProof(account, cumulativeAmount);
        uint256 already = claimed[account];
        if (cumulativeAmount <= already) revert NothingToClaim(account, cumulativeAmount, already);
        claimed[account] = cumulativeAmount;
        unchecked {
            amount = cumulativeAmount - already;
        }
        token.safeTransfer(account, amount);
    }
}
