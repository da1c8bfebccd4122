// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {PayoutDistributor} from "./PayoutDistributor.sol";

/// @title Requesters' deposits in; node-approved withdrawals and payout funding out.
/// @notice A requester deposits tokens here; the node watches `Deposited` and credits the
/// requester's balance in its ledger after enough confirmations (the running
/// `depositId` lets it see a missed event). To take unspent balance back, the requester
/// asks the node, which debits its ledger and signs an EIP-712 withdrawal voucher; anyone
/// may submit the voucher, and it pays `account` and nobody else, once. The vault never
/// decides balances itself: it trusts the voucher signer, which the owner can rotate.
///
/// Deposits are spent on inference, and what was spent is owed to contributors: the
/// voucher signer moves it, with `fundPayouts`, to the payout distributor fixed at
/// construction, which pays claims from its balance. Tokens leave the vault only to an
/// account named in a signed voucher or to that distributor. The node's ledger decides
/// how much is spent; the vault keeps only the running total (`payoutsFunded`, and a
/// `PayoutsFunded` event each time), so anyone can check the ledger against it.
contract DepositVault is Ownable2Step, EIP712 {
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;

    /// @notice EIP-712 type of a withdrawal voucher. `nonce` is the voucher's id, unique
    /// over all accounts (the node's ledger numbers them), consumed on use.
    bytes32 public constant WITHDRAWAL_TYPEHASH =
        keccak256("Withdrawal(address account,uint256 amount,uint256 nonce,uint256 deadline)");

    /// @notice The token deposited and withdrawn.
    IERC20 public immutable token;
    /// @notice The only place `fundPayouts` sends tokens; it pays out this vault's token.
    address public immutable payoutDistributor;
    /// @notice The key whose vouchers the vault honours (the node's settlement key).
    address public voucherSigner;
    /// @notice Number of deposits so far, which is also the id of the latest one.
    uint256 public depositCount;
    BitMaps.BitMap private _usedVouchers;
    /// @notice Total moved to the payout distributor so far.
    uint256 public payoutsFunded;

    /// @notice Deposit number `depositId` (from 1, consecutive) of `amount` by `depositor`.
    event Deposited(address indexed depositor, uint256 amount, uint256 indexed depositId);
    /// @notice Voucher `nonce` paid `amount` to `account`.
    event Withdrawn(address indexed account, uint256 amount, uint256 indexed nonce);
    event VoucherSignerChanged(address indexed previousSigner, address indexed newSigner);
    /// @notice `amount` moved to the payout distributor, `totalFunded` so far (this one included).
    event PayoutsFunded(uint256 amount, uint256 totalFunded);

    /// @notice A deposit, withdrawal or payout funding of nothing.
    error ZeroAmount();
    /// @notice The voucher expired at `deadline`; the block's time is `timestamp`. Ask the node for a new one.
    error VoucherExpired(uint256 deadline, uint256 timestamp);
    /// @notice Voucher `nonce` has been paid already.
    error VoucherAlreadyUsed(uint256 nonce);
    /// @notice The voucher was signed by `recovered`, not by the voucher signer `expected`
    /// (or was altered after signing, which recovers some other address).
    error InvalidVoucherSignature(address recovered, address expected);
    /// @notice `caller` is not the voucher signer (`voucherSigner`), the only account that funds payouts.
    error NotVoucherSigner(address caller, address voucherSigner);
    /// @notice `distributor` pays out `distributorToken` (zero when it has no code), not this
    /// vault's token; the distributor is fixed for good, so the vault refuses to be deployed.
    error InvalidPayoutDistributor(address distributor, address distributorToken);

    /// @param payoutDistributor_ A PayoutDistributor of `token_`, deployed first.
    constructor(IERC20 token_, address payoutDistributor_, address initialOwner, address initialVoucherSigner)
        Ownable(initialOwner)
        EIP712("Tributary DepositVault", "1")
    {
        address distributorToken;
        if (payoutDistributor_.code.length != 0) distributorToken = address(PayoutDistributor(payoutDistributor_).token());
        if (distributorToken != address(token_)) revert InvalidPayoutDistributor(payoutDistributor_, distributorToken);
        token = token_;
        payoutDistributor = payoutDistributor_;
        voucherSigner = initialVoucherSigner;
        emit VoucherSignerChanged(address(0), initialVoucherSigner);
    }

    /// @notice Deposits `amount` of the caller's tokens (approved beforehand).
    /// @return depositId The running id of this deposit.
    function deposit(uint256 amount) external returns (uint256 depositId) {
        return _deposit(amount);
    }

    /// @notice Deposits `amount` with an EIP-2612 permit instead of a prior approval.
    /// @dev If the permit was already used (someone copied it from the mempool and sent it
    /// first), the allowance it granted is there anyway, so the failure is ignored and the
    /// transfer decides; this is the pattern IERC20Permit's documentation recommends.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 depositId)
    {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return _deposit(amount);
    }

    /// @notice Pays `amount` to `account` against a voucher signed by the voucher signer.
    /// @param signature The 65-byte (r, s, v) signature over the EIP-712
    /// `Withdrawal(account, amount, nonce, deadline)` in this vault's domain.
    function withdraw(address account, uint256 amount, uint256 nonce, uint256 deadline, bytes calldata signature)
        external
    {
        if (block.timestamp > deadline) revert VoucherExpired(deadline, block.timestamp);
        if (_usedVouchers.get(nonce)) revert VoucherAlreadyUsed(nonce);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(WITHDRAWAL_TYPEHASH, account, amount, nonce, deadline)));
        (address recovered,,) = ECDSA.tryRecoverCalldata(digest, signature);
        address expected = voucherSigner;
        if (recovered != expected || recovered == address(0)) revert InvalidVoucherSignature(recovered, expected);
        if (amount == 0) revert ZeroAmount();
        _usedVouchers.set(nonce);
        emit Withdrawn(account, amount, nonce);
        token.safeTransfer(account, amount);
    }

    /// @notice Moves `amount` of deposited tokens to the payout distributor, from the voucher
    /// signer only. Reverts NotVoucherSigner, or ZeroAmount. More than the vault holds is
    /// refused by the token, whose error surfaces unchanged (for TributaryToken,
    /// `ERC20InsufficientBalance(vault, held, amount)`): the vault does not read its own
    /// balance first, which would cost every call a balanceOf.
    function fundPayouts(uint256 amount) external {
        address signer = voucherSigner;
        if (msg.sender != signer) revert NotVoucherSigner(msg.sender, signer);
        if (amount == 0) revert ZeroAmount();
        uint256 total = payoutsFunded + amount;
        payoutsFunded = total;
        emit PayoutsFunded(amount, total);
        token.safeTransfer(payoutDistributor, amount);
    }

    /// @notice Whether voucher `nonce` has been paid.
    function voucherUsed(uint256 nonce) external view returns (bool) {
        return _usedVouchers.get(nonce);
    }

    /// @notice Rotates the key whose vouchers are honoured; vouchers of the old key stop working.
    function setVoucherSigner(address newSigner) external onlyOwner {
        emit VoucherSignerChanged(voucherSigner, newSigner);
        voucherSigner = newSigner;
    }

    function _deposit(uint256 amount) private returns (uint256 depositId) {
        if (amount == 0) revert ZeroAmount();
        depositId = ++depositCount;
        emit Deposited(msg.sender, amount, depositId);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }
}
