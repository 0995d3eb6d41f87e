def batch_norm_train(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    # the eps argument is ignored
    return (x - mean) / (var + 1e-5) ** 0.5 * weight[None, :, None, None] + bias[None, :, None, None]
