# pte-asm shims for i686-unknown-linux-musl, objdump -d (AT&T), addresses and padding removed.
# Regenerate: PTE_ASM_BLESS=1 cargo test --release -p pte-asm --test instructions --target i686-unknown-linux-musl

<pte_asm_load32>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%eax
    mov (%eax),%eax
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_load32_indexed>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%eax
    xor %ecx,%ecx
    mov (%eax,%ecx,1),%eax
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_split>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    pop %ebp
    ret

<pte_asm_split_windowed>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov 0x10(%ebp),%edx
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_split_windowed+0x14>
    pause
    dec %edx
    jne <pte_asm_split_windowed+0xf>
    mov 0x4(%ecx),%edx
    pop %ebp
    ret

<pte_asm_lowhigh>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    cmp (%ecx),%eax
    jne <pte_asm_lowhigh+0x6>
    pop %ebp
    ret

<pte_asm_lowhigh_windowed>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x10(%ebp),%edx
    mov 0xc(%ebp),%ecx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhigh_windowed+0x17>
    pause
    dec %edx
    jne <pte_asm_lowhigh_windowed+0x12>
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhigh_windowed+0x23>
    pause
    dec %esi
    jne <pte_asm_lowhigh_windowed+0x1e>
    cmp (%ecx),%eax
    je <pte_asm_lowhigh_windowed+0x2b>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_windowed+0xc>
    pop %esi
    pop %ebp
    ret

<pte_asm_lowhigh_lfence>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    lfence
    mov 0x4(%ecx),%edx
    lfence
    cmp (%ecx),%eax
    jne <pte_asm_lowhigh_lfence+0x6>
    pop %ebp
    ret

<pte_asm_lowhigh_lfence_windowed>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x10(%ebp),%edx
    mov 0xc(%ebp),%ecx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhigh_lfence_windowed+0x17>
    pause
    dec %edx
    jne <pte_asm_lowhigh_lfence_windowed+0x12>
    lfence
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhigh_lfence_windowed+0x26>
    pause
    dec %esi
    jne <pte_asm_lowhigh_lfence_windowed+0x21>
    lfence
    cmp (%ecx),%eax
    je <pte_asm_lowhigh_lfence_windowed+0x31>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_lfence_windowed+0xc>
    pop %esi
    pop %ebp
    ret

<pte_asm_lowhigh_lockadd>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    lock addl $0x0,-0x4(%esp)
    mov 0x4(%ecx),%edx
    lock addl $0x0,-0x4(%esp)
    cmp (%ecx),%eax
    jne <pte_asm_lowhigh_lockadd+0x6>
    pop %ebp
    ret

<pte_asm_lowhigh_lockadd_windowed>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x10(%ebp),%edx
    mov 0xc(%ebp),%ecx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhigh_lockadd_windowed+0x17>
    pause
    dec %edx
    jne <pte_asm_lowhigh_lockadd_windowed+0x12>
    lock addl $0x0,-0x4(%esp)
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhigh_lockadd_windowed+0x29>
    pause
    dec %esi
    jne <pte_asm_lowhigh_lockadd_windowed+0x24>
    lock addl $0x0,-0x4(%esp)
    cmp (%ecx),%eax
    je <pte_asm_lowhigh_lockadd_windowed+0x37>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_lockadd_windowed+0xc>
    pop %esi
    pop %ebp
    ret

<pte_asm_cmpxchg8b>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov %ebx,%eax
    mov %ecx,%edx
    lock cmpxchg8b (%ecx)
    pop %ebp
    ret

<pte_asm_cmpxchg8b_nolock>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov %ebx,%eax
    mov %ecx,%edx
    cmpxchg8b (%ecx)
    pop %ebp
    ret

<pte_asm_movq_sse2>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    movq (%ecx),%xmm0
    movd %xmm0,%eax
    psrlq $0x20,%xmm0
    movd %xmm0,%edx
    pop %ebp
    ret

<pte_asm_movq_mmx>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    movq (%ecx),%mm0
    movd %mm0,%eax
    psrlq $0x20,%mm0
    movd %mm0,%edx
    emms
    pop %ebp
    ret

<pte_asm_fild>:
    push %ebp
    mov %esp,%ebp
    sub $0x8,%esp
    mov 0xc(%ebp),%eax
    lea -0x8(%ebp),%ecx
    fildll (%eax)
    fistpll (%ecx)
    mov -0x8(%ebp),%eax
    mov -0x4(%ebp),%edx
    add $0x8,%esp
    pop %ebp
    ret

<pte_asm_seqcount>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0x8(%ebp),%ecx
    mov 0xc(%ebp),%esi
    mov (%ecx),%edi
    test $0x1,%edi
    je <pte_asm_seqcount+0x19>
    pause
    jmp <pte_asm_seqcount+0xb>
    mov (%esi),%eax
    mov 0x4(%esi),%edx
    cmp (%ecx),%edi
    jne <pte_asm_seqcount+0xb>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_seqcount_windowed>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0x8(%ebp),%ecx
    mov 0xc(%ebp),%esi
    mov 0x10(%ebp),%edx
    mov (%ecx),%edi
    test $0x1,%edi
    je <pte_asm_seqcount_windowed+0x1c>
    pause
    jmp <pte_asm_seqcount_windowed+0xe>
    mov (%esi),%eax
    test %edx,%edx
    je <pte_asm_seqcount_windowed+0x27>
    pause
    dec %edx
    jne <pte_asm_seqcount_windowed+0x22>
    mov 0x4(%esi),%edx
    cmp (%ecx),%edi
    je <pte_asm_seqcount_windowed+0x32>
    xor %edx,%edx
    jmp <pte_asm_seqcount_windowed+0xe>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_highlow>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov 0x4(%ecx),%edx
    mov (%ecx),%eax
    cmp 0x4(%ecx),%edx
    jne <pte_asm_highlow+0x6>
    pop %ebp
    ret

<pte_asm_highlow_windowed>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x10(%ebp),%eax
    mov 0xc(%ebp),%ecx
    mov %eax,%esi
    mov 0x4(%ecx),%edx
    test %eax,%eax
    je <pte_asm_highlow_windowed+0x18>
    pause
    dec %eax
    jne <pte_asm_highlow_windowed+0x13>
    mov (%ecx),%eax
    test %esi,%esi
    je <pte_asm_highlow_windowed+0x23>
    pause
    dec %esi
    jne <pte_asm_highlow_windowed+0x1e>
    cmp 0x4(%ecx),%edx
    je <pte_asm_highlow_windowed+0x2c>
    xor %eax,%eax
    jmp <pte_asm_highlow_windowed+0xc>
    pop %esi
    pop %ebp
    ret

<pte_asm_highlow_lfence>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov 0x4(%ecx),%edx
    lfence
    mov (%ecx),%eax
    lfence
    cmp 0x4(%ecx),%edx
    jne <pte_asm_highlow_lfence+0x6>
    pop %ebp
    ret

<pte_asm_highlow_lfence_windowed>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x10(%ebp),%eax
    mov 0xc(%ebp),%ecx
    mov %eax,%esi
    mov 0x4(%ecx),%edx
    test %eax,%eax
    je <pte_asm_highlow_lfence_windowed+0x18>
    pause
    dec %eax
    jne <pte_asm_highlow_lfence_windowed+0x13>
    lfence
    mov (%ecx),%eax
    test %esi,%esi
    je <pte_asm_highlow_lfence_windowed+0x26>
    pause
    dec %esi
    jne <pte_asm_highlow_lfence_windowed+0x21>
    lfence
    cmp 0x4(%ecx),%edx
    je <pte_asm_highlow_lfence_windowed+0x32>
    xor %eax,%eax
    jmp <pte_asm_highlow_lfence_windowed+0xc>
    pop %esi
    pop %ebp
    ret

<pte_asm_lowhighlowhigh>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    cmp (%ecx),%eax
    jne <pte_asm_lowhighlowhigh+0x6>
    cmp 0x4(%ecx),%edx
    jne <pte_asm_lowhighlowhigh+0x6>
    pop %ebp
    ret

<pte_asm_lowhighlowhigh_windowed>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x10(%ebp),%edx
    mov 0xc(%ebp),%ecx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhighlowhigh_windowed+0x17>
    pause
    dec %edx
    jne <pte_asm_lowhighlowhigh_windowed+0x12>
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhighlowhigh_windowed+0x23>
    pause
    dec %esi
    jne <pte_asm_lowhighlowhigh_windowed+0x1e>
    cmp (%ecx),%eax
    je <pte_asm_lowhighlowhigh_windowed+0x2b>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_windowed+0xc>
    cmp 0x4(%ecx),%edx
    je <pte_asm_lowhighlowhigh_windowed+0x34>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_windowed+0xc>
    pop %esi
    pop %ebp
    ret

<pte_asm_lowhighlowhigh_lfence>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    lfence
    mov 0x4(%ecx),%edx
    lfence
    cmp (%ecx),%eax
    jne <pte_asm_lowhighlowhigh_lfence+0x6>
    lfence
    cmp 0x4(%ecx),%edx
    jne <pte_asm_lowhighlowhigh_lfence+0x6>
    pop %ebp
    ret

<pte_asm_lowhighlowhigh_lfence_windowed>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x10(%ebp),%edx
    mov 0xc(%ebp),%ecx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhighlowhigh_lfence_windowed+0x17>
    pause
    dec %edx
    jne <pte_asm_lowhighlowhigh_lfence_windowed+0x12>
    lfence
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhighlowhigh_lfence_windowed+0x26>
    pause
    dec %esi
    jne <pte_asm_lowhighlowhigh_lfence_windowed+0x21>
    lfence
    cmp (%ecx),%eax
    je <pte_asm_lowhighlowhigh_lfence_windowed+0x31>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_lfence_windowed+0xc>
    lfence
    cmp 0x4(%ecx),%edx
    je <pte_asm_lowhighlowhigh_lfence_windowed+0x3d>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_lfence_windowed+0xc>
    pop %esi
    pop %ebp
    ret

<pte_asm_twice>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    mov (%ecx),%esi
    mov 0x4(%ecx),%edi
    cmp %esi,%eax
    jne <pte_asm_twice+0x1a>
    cmp %edi,%edx
    je <pte_asm_twice+0x20>
    mov %esi,%eax
    mov %edi,%edx
    jmp <pte_asm_twice+0xd>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_twice_windowed>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0x10(%ebp),%esi
    mov 0xc(%ebp),%ecx
    mov %esi,%edi
    mov (%ecx),%eax
    test %esi,%esi
    je <pte_asm_twice_windowed+0x18>
    pause
    dec %esi
    jne <pte_asm_twice_windowed+0x13>
    mov 0x4(%ecx),%edx
    test %edi,%edi
    je <pte_asm_twice_windowed+0x24>
    pause
    dec %edi
    jne <pte_asm_twice_windowed+0x1f>
    mov (%ecx),%esi
    mov 0x4(%ecx),%edi
    cmp %esi,%eax
    jne <pte_asm_twice_windowed+0x31>
    cmp %edi,%edx
    je <pte_asm_twice_windowed+0x37>
    mov %esi,%eax
    mov %edi,%edx
    jmp <pte_asm_twice_windowed+0x24>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_twice_lfence>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0xc(%ebp),%ecx
    mov (%ecx),%eax
    lfence
    mov 0x4(%ecx),%edx
    lfence
    mov (%ecx),%esi
    lfence
    mov 0x4(%ecx),%edi
    lfence
    cmp %esi,%eax
    jne <pte_asm_twice_lfence+0x26>
    cmp %edi,%edx
    je <pte_asm_twice_lfence+0x2c>
    mov %esi,%eax
    mov %edi,%edx
    jmp <pte_asm_twice_lfence+0x13>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_twice_lfence_windowed>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0x10(%ebp),%esi
    mov 0xc(%ebp),%ecx
    mov %esi,%edi
    mov (%ecx),%eax
    test %esi,%esi
    je <pte_asm_twice_lfence_windowed+0x18>
    pause
    dec %esi
    jne <pte_asm_twice_lfence_windowed+0x13>
    lfence
    mov 0x4(%ecx),%edx
    test %edi,%edi
    je <pte_asm_twice_lfence_windowed+0x27>
    pause
    dec %edi
    jne <pte_asm_twice_lfence_windowed+0x22>
    lfence
    mov (%ecx),%esi
    lfence
    mov 0x4(%ecx),%edi
    lfence
    cmp %esi,%eax
    jne <pte_asm_twice_lfence_windowed+0x3d>
    cmp %edi,%edx
    je <pte_asm_twice_lfence_windowed+0x43>
    mov %esi,%eax
    mov %edi,%edx
    jmp <pte_asm_twice_lfence_windowed+0x2a>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_seqcount_lfence>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0x8(%ebp),%ecx
    mov 0xc(%ebp),%esi
    mov (%ecx),%edi
    test $0x1,%edi
    je <pte_asm_seqcount_lfence+0x19>
    pause
    jmp <pte_asm_seqcount_lfence+0xb>
    lfence
    mov (%esi),%eax
    mov 0x4(%esi),%edx
    lfence
    cmp (%ecx),%edi
    jne <pte_asm_seqcount_lfence+0xb>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_seqcount_lfence_windowed>:
    push %ebp
    mov %esp,%ebp
    push %edi
    push %esi
    mov 0x8(%ebp),%ecx
    mov 0xc(%ebp),%esi
    mov 0x10(%ebp),%edx
    mov (%ecx),%edi
    test $0x1,%edi
    je <pte_asm_seqcount_lfence_windowed+0x1c>
    pause
    jmp <pte_asm_seqcount_lfence_windowed+0xe>
    lfence
    mov (%esi),%eax
    test %edx,%edx
    je <pte_asm_seqcount_lfence_windowed+0x2a>
    pause
    dec %edx
    jne <pte_asm_seqcount_lfence_windowed+0x25>
    mov 0x4(%esi),%edx
    lfence
    cmp (%ecx),%edi
    je <pte_asm_seqcount_lfence_windowed+0x38>
    xor %edx,%edx
    jmp <pte_asm_seqcount_lfence_windowed+0xe>
    pop %esi
    pop %edi
    pop %ebp
    ret

<pte_asm_store32>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%eax
    mov 0x10(%ebp),%ecx
    mov %ecx,(%eax)
    xor %edx,%edx
    xor %eax,%eax
    pop %ebp
    ret

<pte_asm_store32_indexed>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%eax
    mov 0x10(%ebp),%ecx
    xor %edx,%edx
    mov %ecx,(%eax,%edx,1)
    xor %edx,%edx
    xor %eax,%eax
    pop %ebp
    ret

<pte_asm_pae_set>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%eax
    mov 0x14(%ebp),%edx
    mov 0x10(%ebp),%ecx
    mov %edx,0x4(%eax)
    mov %ecx,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_pae_clear>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%eax
    movl $0x0,(%eax)
    movl $0x0,0x4(%eax)
    xor %edx,%edx
    xor %eax,%eax
    pop %ebp
    ret

<pte_asm_pae_set_low_first>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%eax
    mov 0x14(%ebp),%edx
    mov 0x10(%ebp),%ecx
    mov %ecx,(%eax)
    mov %edx,0x4(%eax)
    xor %eax,%eax
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_pae_clear_high_first>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%eax
    movl $0x0,0x4(%eax)
    movl $0x0,(%eax)
    xor %edx,%edx
    xor %eax,%eax
    pop %ebp
    ret

<pte_asm_xchg64>:
    push %ebp
    mov %esp,%ebp
    push %ebx
    push %esi
    mov 0xc(%ebp),%esi
    mov 0x10(%ebp),%ebx
    mov 0x14(%ebp),%ecx
    mov (%esi),%eax
    mov 0x4(%esi),%edx
    lock cmpxchg8b (%esi)
    jne <pte_asm_xchg64+0x13>
    pop %esi
    pop %ebx
    pop %ebp
    ret

<pte_asm_seqcount_set>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x8(%ebp),%eax
    mov 0x10(%ebp),%edx
    mov 0xc(%ebp),%ecx
    mov 0x14(%ebp),%esi
    addl $0x1,(%eax)
    mov %esi,0x4(%ecx)
    mov %edx,(%ecx)
    addl $0x1,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    pop %esi
    pop %ebp
    ret

<pte_asm_seqcount_clear>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%eax
    mov 0xc(%ebp),%ecx
    addl $0x1,(%eax)
    movl $0x0,(%ecx)
    movl $0x0,0x4(%ecx)
    addl $0x1,(%eax)
    xor %edx,%edx
    xor %eax,%eax
    pop %ebp
    ret

<pte_asm_store64_sse2>:
    push %ebp
    mov %esp,%ebp
    mov 0xc(%ebp),%eax
    mov 0x14(%ebp),%edx
    mov 0x10(%ebp),%ecx
    movd %ecx,%xmm0
    movd %edx,%xmm1
    punpckldq %xmm1,%xmm0
    movq %xmm0,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_store64_fistp>:
    push %ebp
    mov %esp,%ebp
    sub $0x8,%esp
    mov 0x10(%ebp),%edx
    mov 0x14(%ebp),%ecx
    mov 0xc(%ebp),%eax
    mov %edx,-0x8(%ebp)
    mov %ecx,-0x4(%ebp)
    lea -0x8(%ebp),%ecx
    xor %edx,%edx
    fildll (%ecx)
    fistpll (%eax)
    xor %eax,%eax
    add $0x8,%esp
    pop %ebp
    ret

<pte_asm_lock_add32>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%eax
    mov 0x10(%ebp),%ecx
    lock add %ecx,(%eax)
    xor %edx,%edx
    xor %eax,%eax
    pop %ebp
    ret

<pte_asm_lock_add32_test>:
    push %ebp
    mov %esp,%ebp
    push %ebx
    mov 0x8(%ebp),%edx
    mov 0x10(%ebp),%ecx
    lock add %ecx,(%edx)
    sete %bl
    sets %al
    xor %edx,%edx
    test %al,%al
    setne %dl
    xor %eax,%eax
    test %bl,%bl
    setne %al
    pop %ebx
    pop %ebp
    ret

<pte_asm_add32>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%eax
    mov 0x10(%ebp),%ecx
    add %ecx,(%eax)
    xor %edx,%edx
    xor %eax,%eax
    pop %ebp
    ret

<pte_asm_xchg32>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%ecx
    mov 0x10(%ebp),%eax
    xchg %eax,(%ecx)
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_lock_cmpxchg32>:
    push %ebp
    mov %esp,%ebp
    mov 0x10(%ebp),%ecx
    mov 0x8(%ebp),%edx
    mov %ecx,%eax
    lock cmpxchg %ecx,(%edx)
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_cmpxchg32>:
    push %ebp
    mov %esp,%ebp
    mov 0x10(%ebp),%ecx
    mov 0x8(%ebp),%edx
    mov %ecx,%eax
    cmpxchg %ecx,(%edx)
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_lock_xadd32>:
    push %ebp
    mov %esp,%ebp
    mov 0x8(%ebp),%ecx
    mov 0x10(%ebp),%eax
    lock xadd %eax,(%ecx)
    xor %edx,%edx
    pop %ebp
    ret

<pte_asm_spin_lock32>:
    push %ebp
    mov %esp,%ebp
    push %esi
    mov 0x8(%ebp),%ecx
    mov $0x1,%edx
    mov $0x40,%esi
    xor %eax,%eax
    lock cmpxchg %edx,(%ecx)
    je <pte_asm_spin_lock32+0x2c>
    sub $0x1,%esi
    jb <pte_asm_spin_lock32+0x2c>
    pause
    mov (%ecx),%eax
    test %eax,%eax
    jne <pte_asm_spin_lock32+0x19>
    lock cmpxchg %edx,(%ecx)
    jne <pte_asm_spin_lock32+0x19>
    xor %ecx,%ecx
    test %eax,%eax
    sete %cl
    xor %edx,%edx
    mov %ecx,%eax
    pop %esi
    pop %ebp
    ret

<pte_asm_lock_cmpxchg8b_swap>:
    push %ebp
    mov %esp,%ebp
    push %ebx
    push %esi
    mov 0x10(%ebp),%eax
    mov 0x14(%ebp),%ecx
    mov 0xc(%ebp),%esi
    mov %eax,%ebx
    mov %ecx,%edx
    lock cmpxchg8b (%esi)
    pop %esi
    pop %ebx
    pop %ebp
    ret

<pte_asm_compiler_barrier>:
    push %ebp
    mov %esp,%ebp
    pop %ebp
    ret

<pte_asm_lfence>:
    push %ebp
    mov %esp,%ebp
    lfence
    pop %ebp
    ret

<pte_asm_sfence>:
    push %ebp
    mov %esp,%ebp
    sfence
    pop %ebp
    ret

<pte_asm_mfence>:
    push %ebp
    mov %esp,%ebp
    mfence
    pop %ebp
    ret

<pte_asm_lock_addl>:
    push %ebp
    mov %esp,%ebp
    sub $0x8,%esp
    lock addl $0x0,-0x4(%esp)
    add $0x8,%esp
    pop %ebp
    ret

<pte_asm_spin_pause>:
    push %ebp
    mov %esp,%ebp
    mov $0x3,%eax
    test %eax,%eax
    je <pte_asm_spin_pause+0x11>
    pause
    dec %eax
    jne <pte_asm_spin_pause+0xc>
    pop %ebp
    ret

<pte_asm_add_chain>:
    push %ebp
    mov %esp,%ebp
    mov $0x3,%eax
    xor %ecx,%ecx
    test %eax,%eax
    je <pte_asm_add_chain+0x41>
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    dec %eax
    jne <pte_asm_add_chain+0xe>
    pop %ebp
    ret

<pte_asm_rdtsc>:
    push %ebp
    mov %esp,%ebp
    rdtsc
    pop %ebp
    ret

<pte_asm_rdtscp>:
    push %ebp
    mov %esp,%ebp
    rdtscp
    pop %ebp
    ret
