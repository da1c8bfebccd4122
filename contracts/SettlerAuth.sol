// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

/// @title One settler account, set by the owner.
/// @notice The node posts payout roots and log checkpoints from one key. A single
/// `settler` address set by the owner, rather than OpenZeppelin's AccessControl, because:
///  - one node posts; a set of settlers would buy nothing, and rotating the key is one
///    owner call (`setSettler`);
///  - gas: `settler` is the last state variable of this contract, so the derived
///    contract's first small variable (the epoch, the tree size) shares its storage slot,
///    and a post reads its authorisation and its previous counter in one cold SLOAD.
///    AccessControl's role mapping would add a second cold SLOAD (2,100 gas), which
///    alone would take posting a payout root past its 35,000 gas target.
/// Setting the settler to the zero address stops all posting (nobody can send from it).
abstract contract SettlerAuth is Ownable2Step {
    /// @notice The only account allowed to post.
    address public settler;

    event SettlerChanged(address indexed previousSettler, address indexed newSettler);

    /// @notice `caller` is not the settler (`settler`).
    error NotSettler(address caller, address settler);

    constructor(address initialOwner, address initialSettler) Ownable(initialOwner) {
        settler = initialSettler;
        emit SettlerChanged(address(0), initialSettler);
    }

    modifier onlySettler() {
        address current = settler;
        if (msg.sender != current) revert NotSettler(msg.sender, current);
        _;
    }

    /// @notice Hands posting over to `newSettler` (the zero address pauses posting).
    function setSettler(address newSettler) external onlyOwner {
        emit SettlerChanged(settler, newSettler);
        settler = newSettler;
    }
}
